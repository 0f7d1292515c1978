"""DockOpt example service: a small Flask API used to compare single-stage and multi-stage images.

Endpoints: / (greeting), /health (liveness), /info (runtime facts), /metrics (CPU and memory from /proc).
"""
import os
import platform
import signal
import socket
import sys
import time

from flask import Flask, jsonify

app = Flask(__name__)
STARTED = time.time()


def _cpu_times():
    """Aggregate CPU jiffies from /proc/stat: (busy, total)."""
    with open("/proc/stat", encoding="ascii") as f:
        fields = [int(v) for v in f.readline().split()[1:]]
    idle = fields[3] + (fields[4] if len(fields) > 4 else 0)
    total = sum(fields[:8])
    return total - idle, total


def _cpu_percent(interval=0.1):
    busy1, total1 = _cpu_times()
    time.sleep(interval)
    busy2, total2 = _cpu_times()
    dt = total2 - total1
    return round(100.0 * (busy2 - busy1) / dt, 1) if dt > 0 else 0.0


def _meminfo():
    """Memory from /proc/meminfo in bytes (MemTotal, MemAvailable)."""
    values = {}
    with open("/proc/meminfo", encoding="ascii") as f:
        for line in f:
            key, rest = line.split(":", 1)
            values[key] = int(rest.split()[0]) * 1024
    return values


def _process_rss():
    """Resident set size of this process in bytes, from /proc/self/status."""
    with open("/proc/self/status", encoding="ascii") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    return 0


@app.route("/")
def index():
    return jsonify(message="Hello from the DockOpt Flask example", service="flask-api")


@app.route("/health")
def health():
    return jsonify(status="healthy", uptime_seconds=round(time.time() - STARTED, 1))


@app.route("/info")
def info():
    return jsonify(
        hostname=socket.gethostname(),
        python=sys.version.split()[0],
        platform=platform.platform(),
        user=os.getuid(),
        pid=os.getpid(),
    )


@app.route("/metrics")
def metrics():
    mem = _meminfo()
    total = mem.get("MemTotal", 0)
    available = mem.get("MemAvailable", 0)
    return jsonify(
        cpu_percent=_cpu_percent(),
        cpu_count=os.cpu_count(),
        load_average=list(os.getloadavg()),
        memory_total_bytes=total,
        memory_available_bytes=available,
        memory_used_percent=round(100.0 * (total - available) / total, 1) if total else 0.0,
        process_rss_bytes=_process_rss(),
    )


def _stop(signum, frame):
    # PID 1 in a container gets no default signal handling: exit cleanly on docker stop (SIGTERM).
    sys.exit(0)


if __name__ == "__main__":
    signal.signal(signal.SIGTERM, _stop)
    app.run(host="0.0.0.0", port=int(os.environ.get("PORT", "5000")))
