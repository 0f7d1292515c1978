# expect-at: 2:13-2:19
FROM debian:${TAG}
