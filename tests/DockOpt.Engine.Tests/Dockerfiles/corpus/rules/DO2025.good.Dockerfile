# base runtime image
FROM debian:bookworm-slim AS base
# VERSION to install
ARG VERSION=1
