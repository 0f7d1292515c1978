FROM golang:1.22 AS build
WORKDIR /src
COPY . .
RUN go build -o /app .
FROM gcr.io/distroless/static-debian12
COPY --from=build /app /app
CMD ["/app"]
