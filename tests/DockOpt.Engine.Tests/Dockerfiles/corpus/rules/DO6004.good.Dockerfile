FROM debian:bookworm-slim
RUN grep VERSION_ID /etc/os-release
