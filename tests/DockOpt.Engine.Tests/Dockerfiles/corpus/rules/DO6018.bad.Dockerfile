FROM debian:bookworm-slim
RUN function greet { echo hi; } && greet
