FROM debian:bookworm-slim
RUN cat /etc/os-release | grep VERSION_ID
