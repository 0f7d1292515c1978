# expect-at: 4:1-4:1
FROM debian:bookworm-slim
RUN echo a \

    && echo b
