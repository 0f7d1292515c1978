FROM debian:bookworm-slim
RUN apt install -y curl
