FROM debian:bookworm-slim
RUN echo service
