FROM debian:bookworm-slim AS a
FROM scratch
COPY --from=a /bin/sh /bin/sh
