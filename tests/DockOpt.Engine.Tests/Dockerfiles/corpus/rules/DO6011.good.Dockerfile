FROM debian:bookworm-slim
RUN ln -s /usr/bin/python3 /usr/local/bin/python
