FROM debian:bookworm-slim
RUN mkdir -p /srv/{logs,data}
