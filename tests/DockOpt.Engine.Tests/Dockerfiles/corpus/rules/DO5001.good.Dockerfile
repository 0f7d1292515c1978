# root only in the builder stage (hadolint #405 reports DL3002 here)
FROM debian:bookworm-slim AS build
USER root
FROM debian:bookworm-slim
USER 10001
