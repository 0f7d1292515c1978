# expect-at: 2:6-2:12
FROM debian
FROM alpine:latest
