FROM debian:bookworm-slim
LABEL com.docker.thing=1 Version=2
