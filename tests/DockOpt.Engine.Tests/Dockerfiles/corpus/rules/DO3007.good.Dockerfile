FROM python:3.11-slim AS build
RUN pip install -r requirements.txt
FROM python:3.11-slim
ENV PIP_NO_CACHE_DIR=1
RUN pip install -r requirements.txt
RUN --mount=type=cache,target=/root/.cache/pip python -m pip install -r requirements.txt
