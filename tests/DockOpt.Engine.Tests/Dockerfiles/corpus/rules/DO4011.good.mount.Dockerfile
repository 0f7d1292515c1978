FROM debian:bookworm-slim
# the archive is unpacked from a bind mount: it never lands in a layer
RUN --mount=type=bind,source=site.tar,target=/tmp/site.tar tar -xf /tmp/site.tar -C /opt
