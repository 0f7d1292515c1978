FROM debian:bookworm-slim
ONBUILD COPY . /app
ONBUILD RUN echo triggered
SHELL ["/bin/bash", "-c"]
HEALTHCHECK --interval=30s --timeout=3s --start-period=5s --start-interval=1s --retries=3 CMD ["curl", "-f", "http://localhost/"]
STOPSIGNAL SIGTERM
USER 1000:1000
