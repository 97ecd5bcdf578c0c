#!/usr/bin/env bash
# Starts Spark Streaming Lab on this machine (Linux or macOS): builds the kernel if needed, installs
# the "Spark Streaming (Java)" kernelspec for this user, and opens Jupyter on notebooks/ with local
# Spark and the embedded Kafka broker. Needs a JDK 17, 21 or 25, Maven (to build) and Python 3.9+.
# If no Jupyter is found it installs JupyterLab into the lab's own environment, .venv-lab (pip).
#
#   install/start-lab.sh [options] [jupyter arguments]      e.g. --no-browser --port 8899
#   install/start-lab.sh --help
#
# Undo with install/uninstall-lab.sh.
set -euo pipefail
LAB_TAG=start-lab
. "$(cd "$(dirname "$0")" && pwd)/lib.sh"

usage() {
    cat <<EOF
Usage: install/start-lab.sh [options] [jupyter arguments]

Builds what is missing, installs the kernelspec "Spark Streaming (Java)" and starts JupyterLab
(or the classic Notebook when only that is installed) on notebooks/, listening on 127.0.0.1.

Options:
  --install-only       build and install (kernelspec, and JupyterLab if no Jupyter is found),
                       then stop instead of starting Jupyter
  --build-only         only build the kernel and broker jars if they are missing or out of date
  --lab-venv           use the lab's own environment ($LAB_VENV) even if a Jupyter is on PATH
  --sys-prefix         install the kernelspec into the Python environment that runs Jupyter
                       (default: for this user)
  --heap SIZE          the kernel's Java heap, e.g. 1g or 1536m
                       (default: 40 % of the memory of the machine or container)
  --notebook-dir DIR   open this folder instead of notebooks/ (or, where there is none, the current one)
  -h, --help           this text

Every other argument goes to Jupyter unchanged, e.g. --no-browser, --port 8899, --ip 0.0.0.0,
--IdentityProvider.token=SECRET.

Environment:
  SPARK_MASTER             where Spark runs (default local[*])
  KAFKA_BOOTSTRAP_SERVERS  an existing Kafka to use instead of the embedded broker
  SPARK_LAB_VENV           where the lab's own Python environment lives (default .venv-lab)
  SPARK_LAB_PYTHON         the Python that creates it (default python3)
  JAVA_HOME                the JDK to use (17, 21 or 25)
EOF
}

INSTALL_ONLY=0
BUILD_ONLY=0
FORCE_VENV=0
SPEC_SCOPE=--user
HEAP=""
NOTEBOOK_DIR=""
JUPYTER_ARGS=()
while [ $# -gt 0 ]; do
    case "$1" in
        --install-only) INSTALL_ONLY=1 ;;
        --build-only) BUILD_ONLY=1 ;;
        --lab-venv) FORCE_VENV=1 ;;
        --sys-prefix) SPEC_SCOPE=--sys-prefix ;;
        --heap)
            [ $# -ge 2 ] || die 2 "--heap needs a size, e.g. --heap 1g"
            HEAP="$2"; shift ;;
        --heap=*) HEAP="${1#--heap=}" ;;
        --notebook-dir)
            [ $# -ge 2 ] || die 2 "--notebook-dir needs a folder"
            NOTEBOOK_DIR="$2"; shift ;;
        --notebook-dir=*) NOTEBOOK_DIR="${1#--notebook-dir=}" ;;
        -h|--help) usage; exit 0 ;;
        --) shift; JUPYTER_ARGS+=("$@"); break ;;
        *) JUPYTER_ARGS+=("$1") ;;
    esac
    shift
done
if [ -n "$HEAP" ] && ! printf '%s' "$HEAP" | grep -Eq '^[0-9]+[kKmMgG]$'; then
    die 2 "--heap needs a size like 1g or 1536m, not '$HEAP'."
fi
if [ -z "$NOTEBOOK_DIR" ]; then
    # the lessons of this checkout; where there are none (the image keeps them in $HOME), this folder
    if [ -d "$LAB_ROOT/notebooks" ]; then NOTEBOOK_DIR="$LAB_ROOT/notebooks"; else NOTEBOOK_DIR="$PWD"; fi
fi
[ -d "$NOTEBOOK_DIR" ] || die 2 "no folder $NOTEBOOK_DIR to open."
NOTEBOOK_DIR="$(cd "$NOTEBOOK_DIR" && pwd)"
cd "$LAB_ROOT"

# 1. Java 17, 21 or 25 --------------------------------------------------------------------------
find_java
say "Java $(java_version "$(command -v java)") from ${JAVA_HOME:-$(command -v java)}"

# 2. the kernel (and the embedded broker) --------------------------------------------------------
STALE="$(stale_modules)"
if [ -n "$STALE" ]; then
    # shellcheck disable=SC2086 # one module per word
    build_jars $STALE
else
    say "kernel already built: $KERNEL_JAR"
fi
[ "$BUILD_ONLY" = 1 ] && exit 0

# 3. Jupyter: the one on PATH, else the lab's own environment -------------------------------------
JUPYTER=""
if [ "$FORCE_VENV" = 0 ] && command -v jupyter >/dev/null 2>&1 && jupyter_usable "$(command -v jupyter)"; then
    JUPYTER="$(command -v jupyter)"
    say "using the Jupyter on PATH: $JUPYTER"
elif jupyter_usable "$LAB_VENV/bin/jupyter"; then
    JUPYTER="$LAB_VENV/bin/jupyter"
    say "using the lab's JupyterLab in $LAB_VENV"
else
    PYTHON="$(python_for_venv)" || die 2 "installing JupyterLab needs Python 3.9 or newer (found none): install python3 and run this again."
    say "no Jupyter found: installing JupyterLab into $LAB_VENV (pip, about a minute; uninstall-lab.sh --venv removes it)"
    if [ ! -x "$LAB_VENV/bin/python" ]; then
        if ! "$PYTHON" -m venv "$LAB_VENV"; then
            rm -rf "$LAB_VENV"
            if is_macos; then
                die 2 "could not create a virtual environment with $PYTHON."
            fi
            die 2 "could not create a virtual environment with $PYTHON: install python3-venv (\`sudo apt-get install python3-venv\`) and run this again."
        fi
    fi
    "$LAB_VENV/bin/python" -m pip install --disable-pip-version-check --progress-bar off -q \
        -r "$LAB_ROOT/install/requirements-lab.txt" || die 1 "pip could not install JupyterLab into $LAB_VENV (see above)."
    JUPYTER="$LAB_VENV/bin/jupyter"
    jupyter_usable "$JUPYTER" || die 1 "JupyterLab was installed into $LAB_VENV but does not start."
    say "installed JupyterLab $("$JUPYTER" lab --version 2>/dev/null) into $LAB_VENV"
fi
JUPYTER_BIN="$(dirname "$JUPYTER")"
export PATH="$JUPYTER_BIN:$PATH"

# 4. the kernelspec -------------------------------------------------------------------------------
INSTALL_ARGS=("$SPEC_SCOPE")
[ -n "$HEAP" ] && INSTALL_ARGS+=(--heap "$HEAP")
if [ "$SPEC_SCOPE" = --sys-prefix ]; then
    for py in "$JUPYTER_BIN/python3" "$JUPYTER_BIN/python"; do
        if [ -x "$py" ]; then export JUPYTER_PYTHON="$py"; break; fi
    done
fi
java -jar "$KERNEL_JAR" install "${INSTALL_ARGS[@]}" || die 1 "could not install the kernelspec (see above)."

if [ "$INSTALL_ONLY" = 1 ]; then
    say "installed. Start the lab with: install/start-lab.sh (or: $JUPYTER lab --notebook-dir=$NOTEBOOK_DIR)"
    exit 0
fi

# 5. start Jupyter --------------------------------------------------------------------------------
if "$JUPYTER" lab --version >/dev/null 2>&1; then APP=lab; else APP=notebook; fi
SPARK_WHERE="local Spark"
[ -n "${SPARK_MASTER:-}" ] && SPARK_WHERE="Spark at $SPARK_MASTER"
KAFKA_WHERE="the embedded Kafka broker (%kafka start)"
[ -n "${KAFKA_BOOTSTRAP_SERVERS:-}" ] && KAFKA_WHERE="Kafka at $KAFKA_BOOTSTRAP_SERVERS"
if [ "$(id -u)" = 0 ]; then
    # Jupyter refuses root unless told; root is usual in CI and in containers
    say "running as root: passing --allow-root to Jupyter"
    JUPYTER_ARGS=(--allow-root ${JUPYTER_ARGS[@]+"${JUPYTER_ARGS[@]}"})
fi
say "starting Jupyter $APP on $NOTEBOOK_DIR: $SPARK_WHERE, $KAFKA_WHERE. Ctrl-C stops it."
# the defaults come first: a --ip or --notebook-dir given on the command line wins
exec "$JUPYTER" "$APP" --notebook-dir="$NOTEBOOK_DIR" --ip=127.0.0.1 ${JUPYTER_ARGS[@]+"${JUPYTER_ARGS[@]}"}
