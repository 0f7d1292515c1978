# syntax=docker/dockerfile:1.10
FROM golang:1.22 AS build
RUN --mount=type=cache,target=/root/.cache/go-build,id=gobuild,sharing=locked \
    --mount=type=bind,source=go.mod,target=go.mod,ro \
    --mount=type=tmpfs,target=/tmp,size=100m \
    --mount=type=secret,id=token,env=TOKEN,required=true \
    --mount=type=ssh,id=default,mode=0600 \
    --mount=type=cache,target=/go/pkg/mod,from=build,source=/go,uid=0,gid=0,mode=0755 \
    --network=none --security=sandbox \
    go build ./...
RUN --network=host --security=insecure echo hi
RUN --device=nvidia.com/gpu=all echo gpu
