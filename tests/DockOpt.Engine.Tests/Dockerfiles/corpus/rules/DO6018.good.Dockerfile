FROM debian:bookworm-slim
RUN greet() { echo hi; } && greet
