FROM debian:bookworm-slim
COPY --chmod=755 entrypoint.sh /usr/local/bin/
RUN mkdir /data && chmod 700 /data
