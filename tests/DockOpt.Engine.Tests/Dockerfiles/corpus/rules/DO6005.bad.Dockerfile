FROM debian:bookworm-slim
RUN chmod +x *.sh
