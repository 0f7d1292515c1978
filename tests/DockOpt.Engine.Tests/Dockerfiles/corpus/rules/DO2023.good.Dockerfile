ARG IMAGE=debian:bookworm-slim
FROM ${IMAGE}
