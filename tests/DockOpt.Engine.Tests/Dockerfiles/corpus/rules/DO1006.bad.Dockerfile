# expect-at: 2:1-2:4
ENV A=1
FROM debian:bookworm-slim
