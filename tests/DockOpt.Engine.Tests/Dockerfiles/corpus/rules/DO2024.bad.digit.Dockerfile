FROM debian:bookworm-slim
LABEL 2fa.enabled="true"
