# expect-at: 4:8-4:10
FROM debian:bookworm-slim
RUN mkdir /app \
    && cd /app && make
