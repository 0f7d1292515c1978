FROM debian:bookworm-slim
WORKDIR
