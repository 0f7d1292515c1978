FROM debian:bookworm-slim
RUN version=1.2.3; curl -fsSLO https://example.com/tool.tgz
