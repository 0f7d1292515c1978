FROM quay.io/org/app:1.0
COPY --from=ghcr.io/org/tool:1.0 /tool /tool
