FROM debian:bookworm-slim
RUN wget -q https://example.com/x && wget --progress=dot:giga https://example.com/y
