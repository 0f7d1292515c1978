# heredoc: the finding points into the body, line 5 column 9
# expect-at: 5:9-5:16
FROM debian:bookworm-slim
RUN <<EOF
apt-get install -y --no-install-recommends curl
EOF
