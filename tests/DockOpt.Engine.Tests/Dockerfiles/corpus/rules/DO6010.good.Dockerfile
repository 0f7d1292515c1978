FROM debian:bookworm-slim
RUN if ! make; then exit 1; fi
