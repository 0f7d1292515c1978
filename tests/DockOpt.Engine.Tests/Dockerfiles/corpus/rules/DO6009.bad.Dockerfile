FROM debian:bookworm-slim
RUN echo $version
