FROM debian:bookworm-slim AS build
USER builder
FROM debian:bookworm-slim
USER 10001:10001
