# Shared by install/start-lab.sh and install/uninstall-lab.sh (sourced, not run).
# Plain bash 3.2 (macOS) as well as bash 5 (Linux): no associative arrays, no ${x,,}, no readlink -f.

LAB_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
KERNEL_JAR="$LAB_ROOT/kernel/target/spark-streaming-lab-kernel.jar"
BROKER_JAR="$LAB_ROOT/broker/target/spark-streaming-lab-broker.jar"
KERNEL_NAME_DEFAULT="spark-streaming-java"
# the lab's own Python environment, used when no Jupyter is installed (SPARK_LAB_VENV moves it)
LAB_VENV="${SPARK_LAB_VENV:-$LAB_ROOT/.venv-lab}"
LAB_TAG="${LAB_TAG:-lab}"

say() { printf '%s: %s\n' "$LAB_TAG" "$*"; }
die() {
    # die CODE MESSAGE...
    local code="$1"; shift
    printf '%s: %s\n' "$LAB_TAG" "$*" >&2
    exit "$code"
}

is_macos() { [ "$(uname -s)" = "Darwin" ]; }

# java_version JAVA -> the specification version (17, 21, ...) or nothing
java_version() {
    "$1" -XshowSettings:properties -version 2>&1 | awk -F'= ' '/java.specification.version/ {print $2; exit}'
}

java_supported() {
    local v
    [ -x "$1" ] || return 1
    v="$(java_version "$1")"
    [ "$v" = "17" ] || [ "$v" = "21" ] || [ "$v" = "25" ]
}

# find_java: makes `java` on PATH (and JAVA_HOME) a JDK 17, 21 or 25, or says how to get one.
# Order: JAVA_HOME, java on PATH, the usual install places of Linux and macOS.
find_java() {
    local candidate home
    if [ -n "${JAVA_HOME:-}" ] && java_supported "$JAVA_HOME/bin/java"; then
        export PATH="$JAVA_HOME/bin:$PATH"
        return 0
    fi
    if command -v java >/dev/null 2>&1 && java_supported "$(command -v java)"; then
        # Maven and the kernelspec follow the java on PATH: keep JAVA_HOME in step with it
        home="$("$(command -v java)" -XshowSettings:properties -version 2>&1 | awk -F'= ' '/java.home/ {print $2; exit}')"
        [ -n "$home" ] && export JAVA_HOME="$home"
        return 0
    fi
    if is_macos && [ -x /usr/libexec/java_home ]; then
        for v in 17 21 25; do
            home="$(/usr/libexec/java_home -v "$v" 2>/dev/null || true)"
            if [ -n "$home" ] && java_supported "$home/bin/java"; then
                export JAVA_HOME="$home" PATH="$home/bin:$PATH"
                return 0
            fi
        done
    fi
    for candidate in /usr/lib/jvm/java-17-openjdk* /usr/lib/jvm/java-21-openjdk* /usr/lib/jvm/temurin-17* \
                     /usr/lib/jvm/temurin-21* /usr/lib/jvm/java-25-openjdk* /usr/lib/jvm/temurin-25* \
                     /opt/homebrew/opt/openjdk@17 /opt/homebrew/opt/openjdk@21 /opt/homebrew/opt/openjdk@25 \
                     /usr/local/opt/openjdk@17 /usr/local/opt/openjdk@21 /usr/local/opt/openjdk@25 \
                     /Library/Java/JavaVirtualMachines/*-17*/Contents/Home /Library/Java/JavaVirtualMachines/*-21*/Contents/Home \
                     /Library/Java/JavaVirtualMachines/*-25*/Contents/Home; do
        if java_supported "$candidate/bin/java"; then
            export JAVA_HOME="$candidate" PATH="$candidate/bin:$PATH"
            return 0
        fi
    done
    if is_macos; then
        die 2 "The lab needs a JDK 17, 21 or 25 (found none). Install one, e.g. \`brew install openjdk@17\`, and run this again."
    fi
    die 2 "The lab needs a JDK 17, 21 or 25 (found none). Install one, e.g. \`sudo apt-get install openjdk-17-jdk-headless\`, and run this again."
}

# stale_modules: the Maven modules whose jar is missing or older than the sources that make it
# (kernel and/or broker), one per line; nothing when both are up to date
stale_modules() {
    if [ ! -f "$KERNEL_JAR" ] || \
       [ -n "$(cd "$LAB_ROOT" && find pom.xml kernel/pom.xml kernel/src -newer "$KERNEL_JAR" -print 2>/dev/null | head -n 1)" ]; then
        echo kernel
    fi
    if grep -q "<module>broker</module>" "$LAB_ROOT/pom.xml" 2>/dev/null; then
        if [ ! -f "$BROKER_JAR" ] || \
           [ -n "$(cd "$LAB_ROOT" && find pom.xml broker/pom.xml broker/src -newer "$BROKER_JAR" -print 2>/dev/null | head -n 1)" ]; then
            echo broker
        fi
    fi
}

# build_jars MODULE...: builds only those modules (a running kernel's jar is not rewritten for nothing)
build_jars() {
    local modules
    modules="$(printf '%s,' "$@")"
    modules="${modules%,}"
    if ! command -v mvn >/dev/null 2>&1; then
        if is_macos; then
            die 2 "building the kernel needs Maven (not found): \`brew install maven\`, then run this again."
        fi
        die 2 "building the kernel needs Maven (not found): \`sudo apt-get install maven\`, then run this again."
    fi
    say "building $modules (mvn package; the first build downloads Spark and Kafka, a few minutes)"
    (cd "$LAB_ROOT" && mvn -B -q -Dstyle.color=never package -DskipTests -pl "$modules") \
        || die 1 "the build failed (see Maven's messages above)."
    [ -f "$KERNEL_JAR" ] || die 1 "the build finished but $KERNEL_JAR is missing."
    # Maven leaves a jar that was already up to date as it was (older than a touched pom.xml): mark the
    # modules just built as current, or every start would build them again
    case ",$modules," in *,kernel,*) touch "$KERNEL_JAR" ;; esac
    case ",$modules," in *,broker,*) [ -f "$BROKER_JAR" ] && touch "$BROKER_JAR" ;; esac
    return 0
}

# jupyter_usable JUPYTER -> true when it can start JupyterLab or the Notebook
jupyter_usable() {
    [ -x "$1" ] || return 1
    "$1" lab --version >/dev/null 2>&1 && return 0
    "$1" notebook --version >/dev/null 2>&1 && return 0
    return 1
}

# python_for_venv: a Python 3.9+ that can make a virtual environment
python_for_venv() {
    local py
    for py in "${SPARK_LAB_PYTHON:-}" python3 python; do
        [ -n "$py" ] || continue
        command -v "$py" >/dev/null 2>&1 || continue
        if "$py" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 9) else 1)' 2>/dev/null; then
            command -v "$py"
            return 0
        fi
    done
    return 1
}
