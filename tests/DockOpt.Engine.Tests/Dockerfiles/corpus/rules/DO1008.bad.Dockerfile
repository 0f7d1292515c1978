# expect-at: 3:5-3:22
FROM debian:bookworm-slim
CMD ['echo', 'hello']
