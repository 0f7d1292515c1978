# expect-at: 3:6-3:9
FROM debian:bookworm-slim
USER app
