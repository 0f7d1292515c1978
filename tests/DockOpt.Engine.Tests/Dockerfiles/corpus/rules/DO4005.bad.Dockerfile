# expect-at: 4:47-4:62
FROM debian:bookworm-slim
COPY app.tar.gz /tmp/
RUN tar -xzf /tmp/app.tar.gz -C /opt && rm -f /tmp/app.tar.gz
