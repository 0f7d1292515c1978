FROM debian:bookworm-slim
EXPOSE 80/TCP
