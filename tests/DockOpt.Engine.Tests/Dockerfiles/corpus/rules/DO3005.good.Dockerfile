FROM debian:bookworm-slim
RUN apt-get update && apt-get install -y --no-install-recommends curl=7.88.1-10 ./local.deb && rm -rf /var/lib/apt/lists/*
RUN pip install --no-cache-dir requests==2.32.3 -r requirements.txt
