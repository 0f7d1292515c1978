FROM debian:bookworm-slim
ADD --unpack=true --keep-git-dir=false --checksum=sha256:abc https://example.com/x.tar /x/
