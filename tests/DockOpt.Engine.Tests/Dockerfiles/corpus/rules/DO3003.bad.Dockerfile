# the install word sits on the 3rd physical line of the RUN: exact column
# expect-at: 6:16-6:23
FROM debian:bookworm-slim
RUN set -e \
    && apt-get update \
    && apt-get install --no-install-recommends curl \
    && rm -rf /var/lib/apt/lists/*
