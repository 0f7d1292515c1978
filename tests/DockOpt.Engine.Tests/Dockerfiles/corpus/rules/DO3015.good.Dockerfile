FROM debian:bookworm-slim
RUN curl -fsSLo /x https://example.com/x
