FROM debian:bookworm-slim
RUN (cd /src && make)
