FROM debian:bookworm-slim
ADD https://example.com/tool /usr/local/bin/tool
