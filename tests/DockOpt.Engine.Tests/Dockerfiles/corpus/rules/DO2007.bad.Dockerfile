FROM debian:bookworm-slim AS app
COPY --from=app /a /b
