ARG VERSION=1.2.3
FROM debian:bookworm-slim
ARG VERSION
RUN echo ${VERSION}
ENV P=${UNSET:-fallback}
