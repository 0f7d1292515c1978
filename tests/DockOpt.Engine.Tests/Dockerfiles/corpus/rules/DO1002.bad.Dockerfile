# expect-at: 3:6-3:20
FROM debian:bookworm-slim
COPY --frobnicate=1 a /a
ADD --unpack=true --future-flag x.tar /x/
