# Stand-in for python:3.11-slim: Debian bookworm minimal with the Python 3.11 runtime only.
FROM dockopt/debian:bookworm-slim
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 ca-certificates \
 && rm -rf /var/lib/apt/lists/*
CMD ["python3"]
