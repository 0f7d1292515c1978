FROM debian:bookworm-slim
RUN wget -o /tmp/fetch.log https://example.org/a.tar.gz \
 && wget --append-output=/tmp/fetch.log https://example.org/b.tar.gz \
 && wget -a /tmp/fetch.log https://example.org/c.tar.gz
