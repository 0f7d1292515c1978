ARG REGISTRY=docker.io
ARG TAG=3.11-slim
ARG A=1 B=2
FROM ${REGISTRY}/library/python:${TAG} AS base
ARG TAG
ARG C=${A:-x}
ENV X=${TAG:+set} Y=${MISSING:-default} Z=$A
RUN echo "$TAG"
