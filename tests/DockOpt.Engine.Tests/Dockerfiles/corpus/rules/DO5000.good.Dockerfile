FROM debian:bookworm-slim
ENV PUBLIC_KEY_FILE=/run/key.pub TOKEN_URL=https://example.com
ARG APP_VERSION
