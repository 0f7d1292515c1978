# expect-at: 4:1-4:21
FROM debian:bookworm-slim
RUN <<EOF
curl -fsSL https://x | sh
EOF
