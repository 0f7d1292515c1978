FROM debian:bookworm-slim
RUN printf 'a\tb\n' > /etc/example.conf
