FROM debian:bookworm-slim
ENTRYPOINT ["a"]
ENTRYPOINT ["b"]
