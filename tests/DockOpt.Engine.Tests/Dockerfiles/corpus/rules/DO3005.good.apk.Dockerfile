FROM alpine:3.20
RUN apk add --no-cache git~2.45 curl=8.9.1-r0
