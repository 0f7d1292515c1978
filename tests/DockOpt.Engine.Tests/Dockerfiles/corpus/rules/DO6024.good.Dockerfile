FROM debian:bookworm-slim
RUN f() { dir=/opt/app; mkdir -p "$dir"; } && f
