FROM debian:bookworm-slim
RUN <<EOF
echo ends
EOF
