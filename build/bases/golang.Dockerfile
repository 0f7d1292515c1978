# Stand-in for golang:bookworm: the Go toolchain from Debian with a C toolchain.
ARG BASE_IMAGE=dockopt/debian:bookworm
FROM ${BASE_IMAGE}
RUN apt-get update \
 && apt-get install -y --no-install-recommends golang-go build-essential git ca-certificates \
 && rm -rf /var/lib/apt/lists/*
ENV GOPATH=/go GOFLAGS=-mod=mod GOTOOLCHAIN=local
CMD ["bash"]
