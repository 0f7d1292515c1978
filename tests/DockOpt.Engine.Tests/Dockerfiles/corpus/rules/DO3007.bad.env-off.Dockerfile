FROM python:3.12-slim
# off keeps the cache (pip reads the value as a boolean)
ENV PIP_NO_CACHE_DIR=off
RUN pip install flask==3.0.3
