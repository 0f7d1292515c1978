# Stand-in for python:3.11-slim: DockOpt's slim Debian bookworm (dpkg path excludes, as Debian's official slim
# images) with the Python 3.11 runtime only; no apt lists, caches or logs left behind.
ARG BASE_IMAGE=dockopt/debian:bookworm-slim
FROM ${BASE_IMAGE}
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 ca-certificates \
 && apt-get clean \
 && rm -rf /var/lib/apt/lists/* /var/cache/apt/*.bin /var/log/apt/* /var/log/dpkg.log /var/log/alternatives.log /var/cache/debconf/*-old /var/lib/dpkg/*-old
ENV LANG=C.UTF-8
CMD ["python3"]
