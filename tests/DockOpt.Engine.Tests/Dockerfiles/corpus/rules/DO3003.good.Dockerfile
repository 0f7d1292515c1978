FROM debian:bookworm-slim
RUN apt-get update && apt-get -qy install --no-install-recommends curl && rm -rf /var/lib/apt/lists/*
RUN yum install -y httpd && yum clean all
