# syntax=docker/dockerfile:1
FROM debian:bookworm-slim
RUN <<EOF
set -e
echo one
EOF
RUN <<-EOT bash
	echo tabs stripped
	EOT
RUN <<"EOF"
echo $NOT_EXPANDED
EOF
RUN <<'A' cat > /a && <<B cat > /b
alpha
A
beta
B
COPY <<EOF /etc/app.conf
key=value
EOF
RUN python3 <<PY
print("hi")
PY
RUN \
  <<EOF
echo after continuation
EOF
RUN echo next instruction right after EOF
