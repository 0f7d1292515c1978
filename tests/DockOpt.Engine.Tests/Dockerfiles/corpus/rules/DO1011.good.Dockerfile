# escape=\
# syntax=docker/dockerfile:1
FROM debian:bookworm-slim
