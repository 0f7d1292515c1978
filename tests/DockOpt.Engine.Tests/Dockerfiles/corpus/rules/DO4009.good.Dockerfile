FROM debian:bookworm-slim AS used
RUN echo x > /x
FROM debian:bookworm-slim
RUN --mount=type=bind,from=used,source=/x,target=/x cat /x
