FROM debian:bookworm-slim
RUN sudo apt-get install -y --no-install-recommends curl && rm -rf /var/lib/apt/lists/*
