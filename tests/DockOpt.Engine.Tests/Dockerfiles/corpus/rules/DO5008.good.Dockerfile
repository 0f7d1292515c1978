FROM debian:bookworm-slim
LABEL org.opencontainers.image.source=https://example.com/repo org.opencontainers.image.version=1.2.3
