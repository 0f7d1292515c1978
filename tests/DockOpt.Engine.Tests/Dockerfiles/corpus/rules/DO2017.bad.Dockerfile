FROM --platform=$TARGETPLATFORM debian:bookworm-slim
