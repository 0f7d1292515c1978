# expect-at: 3:1-3:4
FROM debian:bookworm-slim
Run echo hi
COPY a /a
