# expect-at: 3:5-3:21
FROM debian:bookworm-slim
ENV API_TOKEN=abc123
ARG DB_PASSWORD
