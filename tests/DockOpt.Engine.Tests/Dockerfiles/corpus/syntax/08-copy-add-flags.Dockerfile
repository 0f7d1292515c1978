FROM debian:bookworm-slim AS src
FROM debian:bookworm-slim
WORKDIR /app
COPY --from=src --chown=1000:1000 --chmod=0755 --link /etc/hostname /app/
COPY --link=false --parents --exclude=*.md --exclude=docs ./a ./b /app/
COPY --chmod=u=rwX,go=rX conf /app/conf
ADD --checksum=sha256:24454f830cdb571e2c4ad15481119c43b3cafd48dd869a9b2945d1036d1dc68d https://example.com/a.tar.gz /tmp/
ADD --keep-git-dir=true https://github.com/moby/buildkit.git#v0.10.1 /buildkit
ADD --unpack=true --chown=app --chmod=644 --link --exclude=*.txt ./archive.tar.gz /opt/
COPY ["a b", "/app/with space/"]
