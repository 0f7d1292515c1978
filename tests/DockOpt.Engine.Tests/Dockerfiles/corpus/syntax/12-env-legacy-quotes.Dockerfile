FROM debian:bookworm-slim
ENV GREETING="hello world" NAME='single quoted' ESCAPED=a\ b
LABEL "com.example.vendor"="ACME Inc" description="multi \
word"
