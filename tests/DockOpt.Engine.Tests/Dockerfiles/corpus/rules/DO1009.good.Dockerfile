FROM debian:bookworm-slim
ONBUILD RUN echo
