FROM debian:bookworm-slim
# /opt/app is a folder: the archive lands in /opt/app/site.tar
COPY site.tar /opt/app
RUN tar -xf /opt/app/site.tar -C /opt/app
