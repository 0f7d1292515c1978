FROM debian:bookworm-slim
RUN curl -k -fsSLo /x https://example.com/x
