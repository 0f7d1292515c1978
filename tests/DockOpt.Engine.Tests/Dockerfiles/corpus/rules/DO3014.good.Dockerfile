FROM debian:bookworm-slim
SHELL ["/bin/bash", "-c"]
