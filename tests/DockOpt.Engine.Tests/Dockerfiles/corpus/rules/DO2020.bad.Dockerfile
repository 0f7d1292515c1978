FROM debian:bookworm-slim
ENV A=1 B=$A
