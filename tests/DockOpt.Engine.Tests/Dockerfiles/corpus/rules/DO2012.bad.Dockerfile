# expect-at: 3:11-3:16
FROM debian:bookworm-slim
EXPOSE 80 70000
EXPOSE 8080:80
