FROM debian:bookworm-slim
RUN ln -s /usr/bin/python3
