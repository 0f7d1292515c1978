# expect-at: 3:5-3:42
FROM debian:bookworm-slim
RUN wget -qO- https://example.com/install | sh
