ARG TAG=bookworm-slim
FROM debian:${TAG}
FROM --platform=$BUILDPLATFORM debian:bookworm-slim
