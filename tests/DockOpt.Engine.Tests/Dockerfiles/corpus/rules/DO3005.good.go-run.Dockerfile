FROM golang:1.22
RUN go run golang.org/x/tools/cmd/stringer@v0.24.0 -type=Color ./colors
