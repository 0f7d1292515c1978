FROM golang:1.22
RUN go install golang.org/x/tools/gopls@v0.16.1 && go install ./cmd/server
