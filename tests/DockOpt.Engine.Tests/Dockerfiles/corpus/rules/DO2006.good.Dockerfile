# COPY --from through an ARG is resolved (hadolint #933 reports DL3022 here)
ARG SRC=builder
FROM debian:bookworm-slim AS builder
FROM debian:bookworm-slim
ARG SRC
COPY --from=$SRC /a /a
COPY --from=nginx:1.27 /etc/nginx /etc/nginx
