# expect-at: 4:10-4:20
ARG VERSION=1.2.3
FROM debian:bookworm-slim
RUN echo ${VERSION}
