FROM debian:bookworm-slim
LABEL org.opencontainers.image.title=app build-1=x
