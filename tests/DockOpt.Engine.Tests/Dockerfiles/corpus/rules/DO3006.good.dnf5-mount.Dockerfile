FROM fedora:41
RUN --mount=type=cache,target=/var/cache/libdnf5 dnf install -y make-4.4.1
