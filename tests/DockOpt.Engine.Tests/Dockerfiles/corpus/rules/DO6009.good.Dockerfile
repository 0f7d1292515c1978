FROM debian:bookworm-slim
ARG version=1.0
RUN echo "$version" ${other:-none}
