FROM debian:bookworm-slim
RUN echo sudo is only a word here
