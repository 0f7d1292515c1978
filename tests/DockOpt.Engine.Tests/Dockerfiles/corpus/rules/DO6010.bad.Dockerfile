FROM debian:bookworm-slim
RUN make; if [ $? -ne 0 ]; then exit 1; fi
