FROM debian:bookworm-slim
LABEL org.opencontainers.image.source=not-a-url
