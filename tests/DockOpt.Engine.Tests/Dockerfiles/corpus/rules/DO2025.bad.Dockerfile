# expect-at: 3:1-3:25
FROM debian:bookworm-slim AS base
# the version to install
ARG VERSION=1
