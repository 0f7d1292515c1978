FROM debian:bookworm-slim
RUN while read line; do echo "$line"; done < /etc/packages.txt
