FROM debian:bookworm-slim AS base
HEALTHCHECK CMD ["true"]
FROM base
