FROM debian:bookworm-slim AS base
FROM debian:bookworm-slim AS app
COPY --from=base /a /b
