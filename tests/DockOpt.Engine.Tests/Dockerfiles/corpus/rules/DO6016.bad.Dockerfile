FROM debian:bookworm-slim
RUN pkgs=(curl git) && echo done
