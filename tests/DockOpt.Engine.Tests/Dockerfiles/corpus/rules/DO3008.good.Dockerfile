FROM debian:bookworm-slim
RUN apt-cache policy curl
