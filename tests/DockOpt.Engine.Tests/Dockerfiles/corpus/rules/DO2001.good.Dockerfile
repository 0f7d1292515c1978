FROM debian:bookworm-slim AS build
FROM debian:bookworm-slim AS runtime
