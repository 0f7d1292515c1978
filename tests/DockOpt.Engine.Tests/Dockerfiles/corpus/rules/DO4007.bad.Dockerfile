# expect-at: 3:1-3:4
FROM debian:bookworm-slim
ADD app.py /srv/
