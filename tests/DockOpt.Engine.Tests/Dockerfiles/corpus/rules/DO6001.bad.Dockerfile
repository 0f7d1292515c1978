FROM debian:bookworm-slim
RUN apt-get install -y $PKGS
