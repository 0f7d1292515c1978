# a stage built on, or copied from, by another stage is an intermediate: the labels belong on the one it feeds
FROM golang:1.22 AS build
RUN go build -o /app .
FROM debian:bookworm-slim AS base
LABEL org.opencontainers.image.source="https://github.com/acme/app"
FROM base
COPY --from=build /app /app
