FROM --platform=$BUILDPLATFORM debian:bookworm-slim
