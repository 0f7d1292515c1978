LABEL org.opencontainers.image.source="not a url"
