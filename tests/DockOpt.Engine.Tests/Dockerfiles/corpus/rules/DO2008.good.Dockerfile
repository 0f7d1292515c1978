FROM debian:bookworm-slim AS a
CMD ["one"]
FROM debian:bookworm-slim
CMD ["two"]
