FROM debian:bookworm-slim
ENTRYPOINT ["b"]
