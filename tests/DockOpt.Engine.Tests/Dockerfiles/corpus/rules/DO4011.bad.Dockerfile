# expect-at: 5:14-5:24
FROM debian:bookworm-slim
WORKDIR /opt
COPY app.tar.gz ./
RUN tar -xzf app.tar.gz && rm app.tar.gz
