FROM debian:bookworm-slim
RUN [ "$(uname -m)" = x86_64 ] && echo amd64
