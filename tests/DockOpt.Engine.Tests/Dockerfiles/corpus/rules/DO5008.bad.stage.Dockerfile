# every stage that no other stage uses needs the labels, not only the last one
FROM debian:bookworm-slim AS test
RUN ./run-tests.sh
FROM debian:bookworm-slim
LABEL org.opencontainers.image.source="https://github.com/acme/app"
