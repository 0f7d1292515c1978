FROM debian:bookworm-slim
RUN grep ^ID= /etc/os-release
