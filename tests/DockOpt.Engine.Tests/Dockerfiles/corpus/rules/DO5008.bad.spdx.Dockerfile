FROM debian:bookworm-slim
# "apache" is no SPDX license id
LABEL org.opencontainers.image.licenses="apache"
