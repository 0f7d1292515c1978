# every stage needs the labels, not only the last one
FROM golang:1.22 AS build
RUN go build -o /app .
FROM debian:bookworm-slim
LABEL org.opencontainers.image.source="https://github.com/acme/app"
COPY --from=build /app /app
