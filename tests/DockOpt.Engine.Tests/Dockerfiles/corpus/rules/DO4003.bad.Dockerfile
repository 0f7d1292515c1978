# expect-at: 4:1-4:4
FROM debian:bookworm-slim
RUN echo a
RUN echo b
