FROM debian:bookworm-slim
WORKDIR /app
RUN make
