FROM debian:bookworm-slim
ENV A=1
ENV B=$A
