#!/usr/bin/env bash
# Run the test suite: build the kernel jar if it is missing or older than its
# sources, then run the Python tests against it.
#   ./test.sh                      all tests
#   ./test.sh -k magics -x         extra arguments go to pytest
set -euo pipefail
cd "$(dirname "$0")"

JAR=kernel/target/spark-streaming-lab-kernel.jar
PY=${PYTHON:-.venv/bin/python}

if [ ! -x "$PY" ]; then
    echo "test.sh: $PY not found. Create it with:" >&2
    echo "  python3 -m venv .venv && .venv/bin/pip install -r tests/requirements.txt" >&2
    exit 2
fi

why=""
if [ ! -f "$JAR" ]; then
    why="missing"
elif [ -n "$(find pom.xml kernel/pom.xml kernel/src broker/pom.xml broker/src -newer "$JAR" -print -quit 2>/dev/null)" ]; then
    why="older than its sources"
fi
if [ -n "$why" ]; then
    echo "test.sh: $JAR is $why; building it (mvn -B -q package)"
    mvn -B -q package
fi

exec "$PY" -m pytest tests -v "$@"
