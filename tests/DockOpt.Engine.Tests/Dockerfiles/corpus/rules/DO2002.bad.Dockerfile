FROM debian:bookworm-slim AS context
