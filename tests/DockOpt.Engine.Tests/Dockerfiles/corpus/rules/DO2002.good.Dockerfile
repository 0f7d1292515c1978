FROM debian:bookworm-slim AS ctx
