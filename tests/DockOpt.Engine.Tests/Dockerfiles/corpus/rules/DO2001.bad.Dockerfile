# expect-at: 3:30-3:35
FROM debian:bookworm-slim AS build
FROM debian:bookworm-slim AS BUILD
