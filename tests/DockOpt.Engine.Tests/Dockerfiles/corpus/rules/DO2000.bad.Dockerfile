# expect-at: 3:9-3:12
FROM debian:bookworm-slim
WORKDIR app
