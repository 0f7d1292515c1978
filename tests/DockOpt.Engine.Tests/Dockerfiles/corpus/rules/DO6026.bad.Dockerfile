FROM debian:bookworm-slim
ENV NODE_VERSION=22.11.0
RUN curl -fsSLO "https://nodejs.org/dist/v$NODE_VERSON/node-v$NODE_VERSION-linux-x64.tar.xz"
