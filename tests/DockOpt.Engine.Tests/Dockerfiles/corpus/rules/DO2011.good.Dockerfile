FROM debian:bookworm-slim
LABEL org.opencontainers.image.authors="someone@example.com"
