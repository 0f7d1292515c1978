FROM debian:bookworm-slim
RUN echo ok
