FROM debian:bookworm-slim AS Builder
