# expect-at: 3:12-3:32
FROM debian:bookworm-slim
ENTRYPOINT /usr/bin/app --serve
