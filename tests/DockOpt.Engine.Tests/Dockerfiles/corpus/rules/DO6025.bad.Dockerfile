FROM debian:bookworm-slim
RUN echo "seed: $RANDOM" > /seed
