FROM debian:bookworm-slim
RUN apt-get update \
    # a comment inside the continuation
    && apt-get install -y --no-install-recommends \
        curl \
        ca-certificates \
    && rm -rf /var/lib/apt/lists/*
   ENV A=1 \
       B=2
