FROM debian:bookworm-slim
# two -q (or --quiet twice) mean -y for apt-get
RUN apt-get update && apt-get -q -q install --no-install-recommends make && rm -rf /var/lib/apt/lists/*
RUN apt-get update && apt-get --quiet --quiet install --no-install-recommends gcc && rm -rf /var/lib/apt/lists/*
