FROM debian:bookworm-slim
# the archives are on a cache mount, but the lists in /var/lib/apt/lists stay in the layer
RUN --mount=type=cache,target=/var/cache/apt apt-get update && apt-get install -y --no-install-recommends curl
