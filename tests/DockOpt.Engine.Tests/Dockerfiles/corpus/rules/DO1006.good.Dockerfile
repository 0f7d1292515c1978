ARG A=1
FROM debian:bookworm-slim
