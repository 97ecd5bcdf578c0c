#!/usr/bin/env bash
# The lab's benchmarks, one command (not part of CI):
#   bench/run.sh            full run (~30 min): 5 repetitions, 10-minute long run
#   bench/run.sh --quick    quick run (~8 min): 2 repetitions, short streams, 1-minute long run
#   bench/run.sh --only startup,roundtrip [--quick]   some sections (startup roundtrip socket longrun lessons titles)
# Writes bench/results/<date>.json, docs/benchmarks.md and docs/bench-*.svg.
#
# Uses the kernel jar in kernel/target (builds it if it is missing) and the venv in .venv
# (tests/requirements.txt + bench/requirements.txt; installs bench/requirements.txt if matplotlib is missing).
set -euo pipefail
cd "$(dirname "$0")/.."

PY=${PYTHON:-.venv/bin/python}
JAR=kernel/target/spark-streaming-lab-kernel.jar

if [ ! -x "$PY" ]; then
    echo "bench/run.sh: $PY not found. Create it with:" >&2
    echo "  python3 -m venv .venv && .venv/bin/pip install -r tests/requirements.txt -r bench/requirements.txt" >&2
    exit 2
fi
if ! "$PY" -c 'import matplotlib, jupyter_client, nbclient, ipykernel' 2>/dev/null; then
    echo "bench/run.sh: installing bench/requirements.txt into $PY's environment"
    "$PY" -m pip install -q -r bench/requirements.txt
fi
if [ ! -f "$JAR" ]; then
    echo "bench/run.sh: $JAR is missing; building it (mvn -B -q package -DskipTests -pl kernel)"
    mvn -B -q package -DskipTests -pl kernel
fi
if [ "$(uname -s)" != Linux ]; then
    echo "bench/run.sh: reads process memory from /proc; Linux only" >&2
    exit 2
fi
echo "bench/run.sh: load average $(cut -d' ' -f1-3 /proc/loadavg), $(nproc) cores"
exec "$PY" bench/bench.py "$@"
