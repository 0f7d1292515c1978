FROM debian:bookworm-slim
RUN echo 'export PATH=$HOME/bin:$PATH' >> /etc/profile && sed -i 's/${VERSION}/1.0/' /app/conf
