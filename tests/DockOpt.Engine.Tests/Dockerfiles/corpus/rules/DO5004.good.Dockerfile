FROM debian:bookworm-slim AS build
CMD echo builder stages do not ship
FROM debian:bookworm-slim
ENTRYPOINT ["/usr/bin/app", "--serve"]
