FROM debian:bookworm-slim
RUN make && make install || rm -rf build
