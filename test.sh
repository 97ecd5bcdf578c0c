#!/usr/bin/env bash
# Run the test suite, setting up what it needs first, so that it works on a fresh clone:
#   - the Python environment .venv (tests/requirements.txt, tests/browser/requirements.txt), made when it
#     is missing and brought up to date when either file changed since (a stamp in .venv records them);
#   - the kernel and broker jars (mvn -B package, which also runs the Java unit tests), built when missing
#     or older than their sources;
# then the Python tests against them.
#   ./test.sh                      all tests
#   ./test.sh -k magics -x         extra arguments go to pytest
#   ./test.sh tests/test_cells.py  only those tests
#   PYTHON=/path/to/python ./test.sh   use that Python as it is (no .venv set-up)
set -euo pipefail
cd "$(dirname "$0")"

KERNEL_JAR=kernel/target/spark-streaming-lab-kernel.jar
BROKER_JAR=broker/target/spark-streaming-lab-broker.jar
VENV=.venv
REQUIREMENTS=(tests/requirements.txt tests/browser/requirements.txt)
STAMP="$VENV/.requirements.sha256"

say() { echo "test.sh: $*"; }
die() { echo "test.sh: $*" >&2; exit 2; }

# What the requirements files say now; the stamp holds this from the last install that succeeded.
requirements_hash() {
    cat "${REQUIREMENTS[@]}" | sha256sum | cut -d' ' -f1
}

setup_venv() {
    local why=""
    if [ ! -x "$VENV/bin/python" ]; then
        why="missing"
    elif [ ! -f "$STAMP" ] || [ "$(cat "$STAMP")" != "$(requirements_hash)" ]; then
        why="older than ${REQUIREMENTS[*]}"
    fi
    [ -n "$why" ] || return 0
    say "the Python environment $VENV is $why: setting it up"
    if [ ! -x "$VENV/bin/python" ]; then
        command -v python3 >/dev/null 2>&1 \
            || die "python3 not found: install it (Debian: sudo apt-get install python3 python3-venv) and run ./test.sh again."
        # Debian's python3 has the venv module but not ensurepip, which venv needs to put pip in
        python3 -c "import ensurepip, venv" >/dev/null 2>&1 \
            || die "python3 cannot make a virtual environment: install python3-venv (Debian: sudo apt-get install python3-venv) and run ./test.sh again."
        say "python3 -m venv $VENV"
        rm -rf "$VENV"
        python3 -m venv "$VENV" || die "python3 -m venv $VENV failed (see above)."
    fi
    rm -f "$STAMP"
    for req in "${REQUIREMENTS[@]}"; do
        say "installing $req into $VENV (pip; the first time takes a few minutes)"
        "$VENV/bin/python" -m pip install -q --disable-pip-version-check -r "$req" \
            || die "pip could not install $req (see above): is PyPI reachable?"
    done
    requirements_hash >"$STAMP"
}

build_jars() {
    local why=""
    if [ ! -f "$KERNEL_JAR" ] || [ ! -f "$BROKER_JAR" ]; then
        why="missing"
    elif [ -n "$(find pom.xml kernel/pom.xml kernel/src broker/pom.xml broker/src -newer "$KERNEL_JAR" -print -quit 2>/dev/null)" ] \
        || [ -n "$(find broker/pom.xml broker/src -newer "$BROKER_JAR" -print -quit 2>/dev/null)" ]; then
        why="older than their sources"
    fi
    [ -n "$why" ] || return 0
    say "the kernel and broker jars are $why: building them with Maven"
    command -v java >/dev/null 2>&1 \
        || die "java not found: install a JDK 17 (Debian: sudo apt-get install openjdk-17-jdk-headless) and run ./test.sh again."
    command -v javac >/dev/null 2>&1 \
        || die "javac not found (a Java runtime without its compiler): install a JDK 17 (Debian: sudo apt-get install openjdk-17-jdk-headless) and run ./test.sh again."
    command -v mvn >/dev/null 2>&1 \
        || die "mvn not found: install Maven (Debian: sudo apt-get install maven) and run ./test.sh again."
    say "mvn -B package (also runs the Java unit tests)"
    # -ntp: no download progress lines; Surefire's summary of the Java tests still shows
    mvn -B -ntp package || die "the Maven build failed (see above)."
    [ -f "$KERNEL_JAR" ] || die "the build made no $KERNEL_JAR."
}

if [ -n "${PYTHON:-}" ]; then
    PY=$PYTHON
    [ -x "$PY" ] || die "PYTHON=$PY is not an executable Python."
else
    setup_venv
    PY=$VENV/bin/python
fi
build_jars

# no path given: pytest.ini's testpaths (tests/); a path given runs only that (not tests/ as well)
exec "$PY" -m pytest -v "$@"
