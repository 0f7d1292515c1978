FROM dockopt/golang:bookworm AS build
WORKDIR /src
RUN go version
FROM build AS test
RUN go vet ./...
FROM scratch AS final
COPY --from=build /src/app /app
COPY --from=0 /etc/passwd /etc/passwd
