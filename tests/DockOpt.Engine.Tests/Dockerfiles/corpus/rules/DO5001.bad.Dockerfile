FROM debian:bookworm-slim
USER app
USER 0:0
