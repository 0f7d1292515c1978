FROM debian:bookworm-slim
RUN echo "built on $(date)" > /build-info
