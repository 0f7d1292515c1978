FROM debian:bookworm-slim
COPY a b /app/
