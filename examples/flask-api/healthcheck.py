"""HEALTHCHECK probe without curl: exit 0 when GET /health answers 200."""
import os
import sys
import urllib.request

try:
    port = os.environ.get("PORT", "5000")
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=3) as r:
        sys.exit(0 if r.status == 200 else 1)
except Exception:  # noqa: BLE001 - any failure means unhealthy
    sys.exit(1)
