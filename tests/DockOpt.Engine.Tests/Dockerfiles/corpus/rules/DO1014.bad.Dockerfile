# expect-at: 3:12-3:22
FROM debian:bookworm-slim
STOPSIGNAL terminate!
