FROM debian:bookworm-slim
SHELL ["/bin/bash", "-c"]
RUN echo "seed: $RANDOM" > /seed
