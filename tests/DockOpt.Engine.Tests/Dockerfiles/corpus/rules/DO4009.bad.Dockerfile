FROM debian:bookworm-slim AS unused
RUN echo x
FROM debian:bookworm-slim
