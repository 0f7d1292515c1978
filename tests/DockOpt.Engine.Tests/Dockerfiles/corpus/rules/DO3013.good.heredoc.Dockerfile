# hadolint #806/#1137: a bash heredoc that sets pipefail itself, and a python heredoc, are not pipefail findings
FROM debian:bookworm-slim
RUN <<EOF bash
set -euo pipefail
curl -fsSL https://example.com | tar -xz
EOF
RUN python3 <<PY
print("a | b")
PY
