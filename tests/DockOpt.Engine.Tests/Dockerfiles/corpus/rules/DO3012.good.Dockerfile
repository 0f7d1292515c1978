FROM debian:bookworm-slim AS a
RUN curl -fsSLo /a https://example.com/a
FROM debian:bookworm-slim
RUN wget -q https://example.com/b
