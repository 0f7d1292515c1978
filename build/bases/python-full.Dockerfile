# Stand-in for the fat python:3.11 image: compilers, dev headers and tools left in.
ARG BASE_IMAGE=dockopt/debian:bookworm
FROM ${BASE_IMAGE}
RUN apt-get update \
 && apt-get install -y python3 python3-dev python3-venv python3-pip python3-setuptools \
      build-essential gcc g++ make libc6-dev libssl-dev libffi-dev zlib1g-dev \
      git curl wget ca-certificates procps \
 && rm -rf /var/lib/apt/lists/*
CMD ["python3"]
