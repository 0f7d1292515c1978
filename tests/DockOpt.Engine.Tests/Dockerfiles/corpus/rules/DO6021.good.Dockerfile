FROM debian:bookworm-slim
RUN while read -r line; do echo "$line"; done < /etc/packages.txt
