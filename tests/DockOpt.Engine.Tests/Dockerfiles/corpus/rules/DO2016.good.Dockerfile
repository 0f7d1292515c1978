FROM debian:bookworm-slim
ENV MY_VAR="my value"
