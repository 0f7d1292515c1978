FROM debian:bookworm-slim
RUN . /etc/os-release && echo "$ID"
