FROM debian:bookworm-slim
# -O names the downloaded file, not the log: the progress bar still floods the log
RUN wget -O /tmp/app.tar.gz https://example.org/app.tar.gz
