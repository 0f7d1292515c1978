FROM debian:bookworm-slim
RUN find /tmp -name '*.log' -delete && v="$(uname -r)" && echo "$v"
