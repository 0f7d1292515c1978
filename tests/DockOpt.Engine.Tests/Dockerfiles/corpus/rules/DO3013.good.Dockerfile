FROM debian:bookworm-slim
RUN set -o pipefail && wget -qO- https://example.com/install | sh
SHELL ["/bin/bash", "-o", "pipefail", "-c"]
RUN wget -qO- https://example.com/install | sh
