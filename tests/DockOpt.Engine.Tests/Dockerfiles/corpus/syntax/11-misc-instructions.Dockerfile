from debian:bookworm-slim as base
label org.opencontainers.image.title="x" version=1
expose 80/tcp 53/udp 8000-8010
volume ["/data"]
volume /logs /cache
workdir /srv
user app
healthcheck none
stopsignal 9
