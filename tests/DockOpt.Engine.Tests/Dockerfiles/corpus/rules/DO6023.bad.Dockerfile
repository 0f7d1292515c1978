FROM debian:bookworm-slim
RUN echo -e 'a\tb' > /etc/example.conf
