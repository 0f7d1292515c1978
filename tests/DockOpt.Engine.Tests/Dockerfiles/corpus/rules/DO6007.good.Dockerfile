FROM debian:bookworm-slim
RUN make && make install || exit 1
