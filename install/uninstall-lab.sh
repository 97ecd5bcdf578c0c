#!/usr/bin/env bash
# Undoes install/start-lab.sh: removes the "Spark Streaming (Java)" kernelspec and, when asked, the
# lab's own JupyterLab environment (.venv-lab) and the lab's data folder (~/.spark-streaming-lab).
#
#   install/uninstall-lab.sh [--venv] [--data] [--sys-prefix | --prefix DIR] [--name NAME]
set -euo pipefail
LAB_TAG=uninstall-lab
. "$(cd "$(dirname "$0")" && pwd)/lib.sh"

usage() {
    cat <<EOF
Usage: install/uninstall-lab.sh [options]

Removes the kernelspec "Spark Streaming (Java)" that install/start-lab.sh installed for this user.

Options:
  --venv          also remove the lab's own JupyterLab environment ($LAB_VENV)
  --data          also remove the lab's data: logs, the embedded broker's topics, cell classes
                  (\${SPARK_LAB_HOME:-~/.spark-streaming-lab}); your notebooks are not touched
  --sys-prefix    remove the kernelspec from the Python environment that runs Jupyter instead
  --prefix DIR    remove it from DIR/share/jupyter/kernels instead
  --name NAME     the kernelspec's name (default $KERNEL_NAME_DEFAULT)
  -h, --help      this text
EOF
}

REMOVE_VENV=0
REMOVE_DATA=0
SCOPE=(--user)
NAME="$KERNEL_NAME_DEFAULT"
while [ $# -gt 0 ]; do
    case "$1" in
        --venv) REMOVE_VENV=1 ;;
        --data) REMOVE_DATA=1 ;;
        --sys-prefix) SCOPE=(--sys-prefix) ;;
        --prefix)
            [ $# -ge 2 ] || die 2 "--prefix needs a folder"
            SCOPE=(--prefix "$2"); shift ;;
        --name)
            [ $# -ge 2 ] || die 2 "--name needs a kernelspec name"
            NAME="$2"; shift ;;
        -h|--help) usage; exit 0 ;;
        *) usage >&2; die 2 "unknown argument '$1'." ;;
    esac
    shift
done
printf '%s' "$NAME" | grep -Eq '^[A-Za-z0-9._-]+$' || die 2 "--name may hold letters, digits, '.', '_' and '-' only."

# the Jupyter whose sys.prefix --sys-prefix means: the one on PATH, else the lab's own
if [ "${SCOPE[0]}" = --sys-prefix ] && [ -z "${JUPYTER_PYTHON:-}" ]; then
    if ! command -v jupyter >/dev/null 2>&1 && [ -x "$LAB_VENV/bin/python" ]; then
        export JUPYTER_PYTHON="$LAB_VENV/bin/python"
    fi
fi

# user_kernels_dir: where `install --user` put it, by jupyter_core's rules (when Java is not at hand)
user_kernels_dir() {
    if [ -n "${JUPYTER_DATA_DIR:-}" ]; then
        printf '%s/kernels\n' "$JUPYTER_DATA_DIR"
    elif is_macos; then
        printf '%s/Library/Jupyter/kernels\n' "$HOME"
    else
        printf '%s/jupyter/kernels\n' "${XDG_DATA_HOME:-$HOME/.local/share}"
    fi
}

removed_spec=0
if [ -f "$KERNEL_JAR" ] && command -v java >/dev/null 2>&1; then
    # the kernel's own uninstaller knows every place its installer writes to
    java -jar "$KERNEL_JAR" uninstall "${SCOPE[@]}" --name "$NAME" && removed_spec=1
fi
if [ "$removed_spec" = 0 ]; then
    case "${SCOPE[0]}" in
        --user) dir="$(user_kernels_dir)/$NAME" ;;
        --prefix) dir="${SCOPE[1]}/share/jupyter/kernels/$NAME" ;;
        *)
            py="${JUPYTER_PYTHON:-python3}"
            dir="$("$py" -c 'import sys; print(sys.prefix)')/share/jupyter/kernels/$NAME" ;;
    esac
    if [ -d "$dir" ]; then
        rm -rf "$dir"
        say "removed kernelspec $NAME from $dir"
    else
        say "no kernelspec $NAME in $(dirname "$dir"): nothing to remove."
    fi
fi

if [ "$REMOVE_VENV" = 1 ]; then
    if [ -d "$LAB_VENV" ]; then
        rm -rf "$LAB_VENV"
        say "removed the lab's JupyterLab environment $LAB_VENV"
    else
        say "no lab environment at $LAB_VENV: nothing to remove."
    fi
fi

if [ "$REMOVE_DATA" = 1 ]; then
    data="${SPARK_LAB_HOME:-$HOME/.spark-streaming-lab}"
    if [ -d "$data" ]; then
        rm -rf "$data"
        say "removed the lab's data folder $data"
    else
        say "no lab data at $data: nothing to remove."
    fi
fi
say "done. The built jars stay in kernel/target and broker/target (mvn clean removes them)."
