# Cases that break hadolint's parser (research sheet 2.7): none may produce a parse finding here.
ARG REGISTRY=registry.example.com
# 847: variable registry host with a port
FROM ${REGISTRY}:5000/team/app:1.0 AS base
# 1051: escaped delimiter
RUN <<-\EOT sh
	echo escaped delimiter
	EOT
# 960: a comment right after the terminator
RUN <<EOF
echo a
EOF
# 1137: interpreter after the marker, then a RUN straight after EOF
RUN <<EOF bash
echo b
EOF
RUN echo c
# 1060: COPY continued with a trailing backslash
COPY a \
     b /srv/
# 943: mount options in any order
RUN --mount=target=/root/.cache,type=cache,sharing=private true
# 1145 / 951: ADD --unpack and --keep-git-dir
ADD --unpack=false https://example.com/a.tar.gz /a/
ADD --keep-git-dir https://github.com/moby/moby.git#v25.0.0 /moby
