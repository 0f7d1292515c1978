FROM debian:bookworm-slim
ADD app.tar.gz /opt/
RUN --mount=type=bind,source=b.tar.gz,target=/tmp/b.tar.gz tar -xzf /tmp/b.tar.gz -C /opt
COPY c.tar.gz /srv/
RUN tar -tzf /srv/c.tar.gz
