#!/usr/bin/env bash
# Starts Spark Streaming Lab on this machine: builds the kernel if needed, installs the
# "Spark Streaming (Java)" kernelspec for this user, and opens Jupyter on notebooks/.
# Needs a JDK 17 or 21 and Maven; installs JupyterLab into .venv-lab if no Jupyter is found.
#   install/start-lab.sh [extra jupyter arguments, e.g. --port 8899 --no-browser]
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
cd "$ROOT"
JAR=kernel/target/spark-streaming-lab-kernel.jar

java_ok() {
    command -v java >/dev/null 2>&1 || return 1
    local v
    v=$(java -XshowSettings:properties -version 2>&1 | awk -F'= ' '/java.specification.version/ {print $2}')
    [ "$v" = "17" ] || [ "$v" = "21" ]
}
if ! java_ok; then
    for candidate in /usr/lib/jvm/java-17-openjdk-* /usr/lib/jvm/java-21-openjdk-* /Library/Java/JavaVirtualMachines/*17*/Contents/Home; do
        if [ -x "$candidate/bin/java" ]; then export JAVA_HOME="$candidate"; export PATH="$candidate/bin:$PATH"; break; fi
    done
fi
java_ok || { echo "start-lab: Spark 3.5 needs Java 17 or 21; install one (e.g. apt-get install openjdk-17-jdk-headless) and try again." >&2; exit 2; }

if [ ! -f "$JAR" ] || [ -n "$(find pom.xml kernel/pom.xml kernel/src -newer "$JAR" -print -quit 2>/dev/null)" ]; then
    command -v mvn >/dev/null 2>&1 || { echo "start-lab: building the kernel needs Maven (apt-get install maven)." >&2; exit 2; }
    echo "start-lab: building the kernel (first time: Maven downloads Spark, a few minutes)"
    mvn -B -q package -DskipTests
fi

JUPYTER=""
if command -v jupyter >/dev/null 2>&1; then
    JUPYTER=$(command -v jupyter)
elif [ -x .venv-lab/bin/jupyter ]; then
    JUPYTER=.venv-lab/bin/jupyter
else
    echo "start-lab: no Jupyter found: installing JupyterLab into $ROOT/.venv-lab (pip)"
    python3 -m venv .venv-lab
    .venv-lab/bin/pip install -q --disable-pip-version-check jupyterlab
    JUPYTER=.venv-lab/bin/jupyter
fi
export PATH="$(dirname "$JUPYTER"):$PATH"

java -jar "$JAR" install --user
if "$JUPYTER" lab --version >/dev/null 2>&1; then APP=lab; else APP=notebook; fi
echo "start-lab: starting Jupyter $APP on notebooks/ (local Spark, embedded Kafka)"
exec "$JUPYTER" "$APP" --notebook-dir="$ROOT/notebooks" --ServerApp.ip=127.0.0.1 "$@"
