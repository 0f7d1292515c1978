# expect-at: 2:27-2:29
FROM debian:bookworm-slim as builder
