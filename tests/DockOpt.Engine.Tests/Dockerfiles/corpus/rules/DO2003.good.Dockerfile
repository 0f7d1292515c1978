FROM debian:bookworm-slim AS builder
