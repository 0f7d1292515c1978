FROM debian:bookworm-slim
USER nobody
