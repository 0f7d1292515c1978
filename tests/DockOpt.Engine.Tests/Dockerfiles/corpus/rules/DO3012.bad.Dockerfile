FROM debian:bookworm-slim
RUN curl -fsSLo /a https://example.com/a
RUN wget -q https://example.com/b
