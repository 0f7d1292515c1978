FROM debian:bookworm-slim
RUN [[ -f /etc/passwd ]] && echo yes
