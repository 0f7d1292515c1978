FROM debian:bookworm-slim
RUN useradd -l -u 123456 app && useradd -u 1000 web
