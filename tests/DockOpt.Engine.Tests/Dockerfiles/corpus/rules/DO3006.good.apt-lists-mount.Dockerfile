FROM debian:bookworm-slim
# the lists live on a cache mount; the image's docker-clean hook removes the downloaded packages
RUN --mount=type=cache,target=/var/lib/apt/lists apt-get update && apt-get install -y --no-install-recommends curl
