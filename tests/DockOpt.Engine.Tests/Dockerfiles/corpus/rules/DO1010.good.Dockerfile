FROM debian:bookworm-slim
RUN echo a
