FROM debian:bookworm-slim
RUN --mount=type=cache,target=/root/.cache --network=default echo
HEALTHCHECK --interval=1m30s --retries=3 CMD ["true"]
