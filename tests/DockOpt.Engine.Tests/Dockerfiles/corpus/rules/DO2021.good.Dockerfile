FROM debian:bookworm-slim
WORKDIR /srv
COPY app.py app/
