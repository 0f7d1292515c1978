FROM debian:bookworm-slim
RUN f() { local dir=/opt/app; mkdir -p "$dir"; } && f
