# a stage built on a labelled stage inherits its labels
FROM debian:bookworm-slim AS base
LABEL org.opencontainers.image.source="https://github.com/acme/app"
FROM base
COPY app /app
