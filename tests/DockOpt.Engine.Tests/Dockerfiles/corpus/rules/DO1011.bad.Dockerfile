# escape=\
# escape=`
FROM debian:bookworm-slim
