FROM debian:bookworm-slim
RUN . "$ENV_FILE" && make
