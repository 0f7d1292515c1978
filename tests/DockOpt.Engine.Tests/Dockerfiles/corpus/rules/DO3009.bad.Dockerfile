FROM debian:bookworm-slim
RUN service nginx start
