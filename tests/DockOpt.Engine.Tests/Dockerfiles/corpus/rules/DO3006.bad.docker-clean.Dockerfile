FROM debian:bookworm-slim
# without docker-clean the packages stay in /var/cache/apt, which is not mounted
RUN rm -f /etc/apt/apt.conf.d/docker-clean
RUN --mount=type=cache,target=/var/lib/apt apt-get update && apt-get install -y --no-install-recommends curl
