# expect-at: 3:1-3:12
FROM debian:bookworm-slim
CMD ["one"]
CMD ["two"]
