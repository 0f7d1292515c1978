FROM alpine:3.20
SHELL ["/bin/ash", "-o", "pipefail", "-c"]
RUN wget -qO- https://example.org/install.sh | sh
