FROM debian:bookworm-slim
RUN rm -f $(find /tmp -name '*.log')
