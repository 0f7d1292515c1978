FROM debian:bookworm-slim
CMD ["echo", "hello"]
