FROM debian:bookworm-slim
HEALTHCHECK CMD ["b"]
