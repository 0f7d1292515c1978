# FROM through an ARG with a default is resolved (hadolint #219/#1078 report DL3006 here)
ARG BASE=debian:bookworm-slim
FROM ${BASE} AS a
FROM a
FROM scratch
