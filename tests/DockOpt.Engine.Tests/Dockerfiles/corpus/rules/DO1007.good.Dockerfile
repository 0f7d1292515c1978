FROM debian:bookworm-slim
RUN echo a \
    # comment lines are fine
    && echo b
