FROM debian:bookworm-slim
MAINTAINER someone@example.com
