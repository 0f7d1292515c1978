FROM debian:bookworm-slim
# a RUN that already chains commands was split on purpose
RUN ./configure && make
RUN make install
