FROM debian:bookworm-slim
# a single -q still asks for confirmation
RUN apt-get update && apt-get -q install --no-install-recommends make && rm -rf /var/lib/apt/lists/*
