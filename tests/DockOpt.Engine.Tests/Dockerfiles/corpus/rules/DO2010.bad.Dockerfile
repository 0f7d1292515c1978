FROM debian:bookworm-slim
HEALTHCHECK CMD ["a"]
HEALTHCHECK CMD ["b"]
