# expect-at: 3:5-3:42
FROM debian:bookworm-slim
RUN --mount=type=cache,targt=/root/.cache echo
RUN --network=bridge echo
HEALTHCHECK --interval=30 CMD ["true"]
