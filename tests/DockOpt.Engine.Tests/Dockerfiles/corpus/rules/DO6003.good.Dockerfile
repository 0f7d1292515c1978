FROM debian:bookworm-slim
RUN cd /usr/src/app || exit; make install
