FROM debian:bookworm-slim
RUN apt-get update && apt-get install -y -o APT::Install-Recommends=false curl && rm -rf /var/lib/apt/lists/*
