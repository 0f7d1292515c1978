FROM debian:bookworm-slim
RUN . /etc/profile && env
