FROM debian:bookworm-slim
RUN echo a
ENV X=1
RUN echo b
RUN --mount=type=cache,target=/c echo c
