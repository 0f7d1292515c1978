# expect-at: 3:5-3:10
FROM debian:bookworm-slim
RUN <<EOF
echo never ends
