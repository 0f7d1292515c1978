FROM debian:bookworm-slim
RUN echo one \
    two
CMD ["true"]
