FROM debian:bookworm-slim
RUN source /etc/profile && env
