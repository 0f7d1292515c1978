FROM debian:bookworm-slim
RUN --mount=type=bind,source=app.tar.gz,target=/tmp/app.tar.gz tar -xzf /tmp/app.tar.gz -C /opt
RUN curl -fsSLo /tmp/x.tgz https://example.com/x.tgz && tar -xzf /tmp/x.tgz && rm /tmp/x.tgz
