#!/usr/bin/env python3
"""Spark Streaming Lab benchmarks: the kernel against bare Spark (and ipykernel as a reference
point), measured side by side in one run through a real Jupyter client.

Run through bench/run.sh (it builds or finds the kernel jar and the venv):

    bench/run.sh            full run (5 repetitions, 10-minute long run): ~30 minutes
    bench/run.sh --quick    2 repetitions, short streams, 1-minute long run: ~8 minutes
    bench/run.sh --only startup,roundtrip    some sections only (see SECTIONS)

Writes bench/results/YYYYMMDD-HHMM[-quick].json, docs/benchmarks.md and docs/bench-*.svg.
One measurement runs at a time; nothing is left running at the end.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import traceback
import uuid
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

from labclient import BareProcess, Kernel, KernelError, cmdline, rss_mb, table_rows, tree_rss_mb  # noqa: E402
from stats import percentile, ratio, slope, summary  # noqa: E402

WORK = HERE / ".work"
RESULTS = HERE / "results"
DOCS = ROOT / "docs"
KERNEL_NAME = "spark-streaming-java"
REFERENCE_KERNEL = "python3"  # ipykernel from the venv
SECTIONS = ["startup", "roundtrip", "socket", "longrun", "lessons", "titles"]

# Targets from the issues (2, 3, 7)
TARGETS = {
    "kernel_info_s": 1.0,  # median seconds, start -> kernel_info_reply
    "first_count_ratio": 1.2,  # kernel / bare, start -> first spark.range(10).count() result
    "roundtrip_p50_ms": 20.0,
    "rss_idle_mb": 600.0,
    "socket_ratio": 1.5,  # kernel p50 / bare p50 at 1 line/s
    "longrun_rss_slope_mb_per_min": 5.0,
    "longrun_batch_growth": 1.25,  # last-quarter p50 batch duration / first-quarter p50
    "longrun_live_heap_growth_mb": 50.0,
    "titles_throughput_ratio": 0.9,  # kernel records/s / bare records/s, title analysis over 1 M records (issue 4)
}


def log(msg: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {msg}", flush=True)


def free_port_pair() -> int:
    """A port P with P + 1 free too (the broker's client and controller ports)."""
    for _ in range(50):
        p = free_port()
        if p >= 65535:
            continue
        try:
            with socket.socket() as a, socket.socket() as b:
                a.bind(("127.0.0.1", p))
                b.bind(("127.0.0.1", p + 1))
            return p
        except OSError:
            continue
    raise RuntimeError("no two free ports in a row")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# --------------------------------------------------------------------------
# Setup: a private copy of the kernel, its kernelspec, the bare programs
# --------------------------------------------------------------------------


class Ctx:
    def __init__(self, args):
        self.quick: bool = args.quick
        self.reps: int = args.reps or (2 if args.quick else 5)
        self.mode = "quick" if args.quick else "full"
        self.longrun_s: float = args.longrun_minutes * 60 if args.longrun_minutes else (60.0 if args.quick else 600.0)
        self.kernel_jar_src = Path(args.jar).resolve()
        self.kernel_dir = WORK / "kernel"
        self.prefix = WORK / "prefix"
        self.classes = WORK / "classes"
        self.bare_jar = WORK / "bare-programs.jar"  # a jar: a class archive cannot list a folder's classes
        self.home = WORK / "home"  # SPARK_LAB_HOME for the kernels: logs, default checkpoints
        self.cwd = WORK / "cwd"
        self.logs = WORK / "logs"
        self.broker_dir = WORK / "broker"
        self.broker_jar: Path | None = None
        self.kernel_argv: list[str] = []
        self.java = ""
        self.jvm_flags: list[str] = []
        self.kernel_archive: str | None = None

    def kernel_env(self, **extra) -> dict[str, str]:
        env = {"SPARK_LAB_HOME": str(self.home)}
        env.update({k: str(v) for k, v in extra.items()})
        return env

    def kafka_env(self) -> dict[str, str]:
        """The embedded broker on free ports, with fresh data, from the bench's copy of its jar."""
        env = {}
        if self.broker_jar is not None:
            env["SPARK_LAB_BROKER_JAR"] = str(self.broker_jar)
        port = free_port_pair()
        env["SPARK_LAB_KAFKA_PORT"] = str(port)
        env["SPARK_LAB_KAFKA_CONTROLLER_PORT"] = str(port + 1)
        kdir = WORK / f"kafka-{uuid.uuid4().hex[:8]}"
        env["SPARK_LAB_KAFKA_DIR"] = str(kdir)
        return env

    def bare_argv(self, main_class: str, *args: str, log_name: str) -> list[str]:
        return ([self.java] + self.jvm_flags
                + [f"-Dlog4j2.configurationFile={HERE / 'java' / 'log4j2-bench.properties'}",
                   f"-Dbench.log.file={self.logs / (log_name + '.log')}",
                   "-cp", f"{self.bare_jar}{os.pathsep}{self.kernel_dir / 'lib'}/*", main_class] + list(args))


def setup(ctx: Ctx) -> dict:
    """Copies the kernel jar and its libs (so a rebuild elsewhere cannot change them mid-run),
    installs the kernelspec into a private prefix, compiles the bare programs."""
    for d in (ctx.home, ctx.cwd, ctx.logs):
        d.mkdir(parents=True, exist_ok=True)
    if ctx.kernel_dir.exists():
        shutil.rmtree(ctx.kernel_dir)
    ctx.kernel_dir.mkdir(parents=True)
    src_lib = ctx.kernel_jar_src.parent / "lib"
    shutil.copy2(ctx.kernel_jar_src, ctx.kernel_dir / ctx.kernel_jar_src.name)
    shutil.copytree(src_lib, ctx.kernel_dir / "lib")
    jar = ctx.kernel_dir / ctx.kernel_jar_src.name
    # the embedded Kafka broker (its own JVM, its own classpath), when it is built
    broker_src = ROOT / "broker" / "target" / "spark-streaming-lab-broker.jar"
    ctx.broker_jar = None
    if ctx.broker_dir.exists():
        shutil.rmtree(ctx.broker_dir)
    if broker_src.exists() and (broker_src.parent / "lib").is_dir():
        ctx.broker_dir.mkdir(parents=True)
        shutil.copy2(broker_src, ctx.broker_dir / broker_src.name)
        shutil.copytree(broker_src.parent / "lib", ctx.broker_dir / "lib")
        ctx.broker_jar = ctx.broker_dir / broker_src.name

    if ctx.prefix.exists():
        shutil.rmtree(ctx.prefix)
    subprocess.run(["java", "-jar", str(jar), "install", "--prefix", str(ctx.prefix)], check=True,
                   stdout=subprocess.DEVNULL)
    spec_dir = ctx.prefix / "share" / "jupyter" / "kernels" / KERNEL_NAME
    spec = json.loads((spec_dir / "kernel.json").read_text())
    ctx.kernel_argv = spec["argv"]
    os.environ["JUPYTER_PATH"] = str(ctx.prefix / "share" / "jupyter")
    jar_at = ctx.kernel_argv.index("-jar")
    ctx.java = ctx.kernel_argv[0]
    # the bare programs get the kernel's JVM flags, but not its class archive (an archive of other jars)
    ctx.jvm_flags = [f for f in ctx.kernel_argv[1:jar_at] if not f.startswith("-XX:SharedArchiveFile=")]
    ctx.kernel_archive = next((f.split("=", 1)[1] for f in ctx.kernel_argv if f.startswith("-XX:SharedArchiveFile=")),
                              None)

    if ctx.classes.exists():
        shutil.rmtree(ctx.classes)
    ctx.classes.mkdir(parents=True)
    javac = str(Path(ctx.java).with_name("javac"))
    if not Path(javac).exists():
        javac = "javac"
    sources = sorted(str(p) for p in (HERE / "java").glob("*.java"))
    subprocess.run([javac, "-nowarn", "-cp", f"{ctx.kernel_dir / 'lib'}/*", "-d", str(ctx.classes)] + sources,
                   check=True)
    jar_tool = str(Path(javac).with_name("jar")) if Path(javac).is_absolute() else "jar"
    ctx.bare_jar.unlink(missing_ok=True)
    subprocess.run([jar_tool, "cf", str(ctx.bare_jar), "-C", str(ctx.classes), "."], check=True)
    log(f"kernel {jar} ({dt.datetime.fromtimestamp(ctx.kernel_jar_src.stat().st_mtime):%Y-%m-%d %H:%M}), "
        f"kernelspec in {spec_dir}, bare programs compiled")
    return {"kernel_argv": ctx.kernel_argv, "kernel_jar_built": dt.datetime.fromtimestamp(
        ctx.kernel_jar_src.stat().st_mtime).isoformat(timespec="seconds")}


def machine_info(ctx: Ctx) -> dict:
    info: dict = {"cores": os.cpu_count(), "platform": platform.platform()}
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                info["cpu"] = line.split(":", 1)[1].strip()
                break
        for line in open("/proc/meminfo"):
            if line.startswith("MemTotal"):
                info["ram_gb"] = round(int(line.split()[1]) / 1024 / 1024, 1)
                break
    except OSError:
        pass
    try:
        out = subprocess.run([ctx.java, "-version"], capture_output=True, text=True).stderr
        info["java"] = out.strip().splitlines()[0] + " (" + out.strip().splitlines()[-1].strip() + ")"
    except (OSError, IndexError):
        info["java"] = "?"
    spark = sorted((ctx.kernel_dir / "lib").glob("spark-core_*.jar"))
    if spark:
        m = re.match(r"spark-core_([\d.]+)-(.+)\.jar", spark[0].name)
        info["spark"] = f"{m.group(2)} (Scala {m.group(1)})" if m else spark[0].name
    import jupyter_client
    info["python"] = platform.python_version()
    info["jupyter_client"] = jupyter_client.__version__
    try:
        import ipykernel
        info["ipykernel"] = ipykernel.__version__
    except ImportError:
        info["ipykernel"] = None
    try:
        head = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"], capture_output=True,
                              text=True).stdout.strip()
        dirty = subprocess.run(["git", "-C", str(ROOT), "status", "--porcelain", "--untracked-files=no"],
                               capture_output=True, text=True).stdout.strip()
        info["git"] = head + (" (with uncommitted changes)" if dirty else "")
    except OSError:
        pass
    info["jvm_flags"] = " ".join(f for f in ctx.jvm_flags if not f.startswith("--add-opens"))
    return info


def reap_leftovers() -> list[str]:
    """Processes this bench started that are still there (kernels run from bench/.work, the bare
    programs): named in the results, then ended. Should always be empty."""
    left = []
    me = os.getpid()
    for entry in os.listdir("/proc"):
        if not entry.isdigit() or int(entry) == me:
            continue
        cmd = cmdline(int(entry))
        if str(WORK) in cmd and ("java" in cmd.split(" ")[0] or "Bare" in cmd):
            left.append(f"{entry}: {cmd[:120]}")
            try:
                os.kill(int(entry), signal.SIGKILL)
            except ProcessLookupError:
                pass
    if left:
        log(f"left-over processes ended: {left}")
    return left


def loadavg() -> list[float]:
    return [round(x, 2) for x in os.getloadavg()]


# --------------------------------------------------------------------------
# 1, 2, 4: start -> kernel_info_reply, start -> first count, idle RSS
# --------------------------------------------------------------------------

FIRST_COUNT = "spark.range(10).count()"


def run_ours_start(ctx: Ctx, idle_s: float) -> dict:
    k = Kernel(KERNEL_NAME, env=ctx.kernel_env(), cwd=str(ctx.cwd), log_path=ctx.logs / "kernels.log")
    try:
        t_info = k.start()
        ex = k.execute(FIRST_COUNT, timeout=300)
        t_result = ex.t_result or ex.t_reply
        if "10" not in (ex.result_plain or ""):
            raise KernelError(f"unexpected result of {FIRST_COUNT}: {ex.result_plain!r}")
        time.sleep(idle_s)
        if "java" not in cmdline(k.pid):
            raise KernelError(f"pid {k.pid} is not the kernel JVM: {cmdline(k.pid)[:100]}")
        rss = k.rss_mb()
        tree, _ = tree_rss_mb(k.pid)
        return {"kernel_info_s": t_info, "first_count_s": t_result - k.t_spawn, "rss_idle_mb": rss,
                "rss_tree_mb": tree}
    finally:
        k.shutdown()


def run_ipykernel_start(ctx: Ctx) -> dict:
    k = Kernel(REFERENCE_KERNEL, log_path=ctx.logs / "ipykernel.log")
    try:
        t_info = k.start(timeout=60)
        return {"kernel_info_s": t_info}
    finally:
        k.shutdown()


def run_bare_count(ctx: Ctx, idle_s: float, rep: int, archive_flag: str | None = None) -> dict:
    """The bare program; with archive_flag (-XX:SharedArchiveFile=... or -XX:ArchiveClassesAtExit=...) it
    maps or writes a class archive of its own, as the kernel maps the one its installer wrote."""
    argv = ctx.bare_argv("BareSparkCount", log_name=f"bare-count-{rep}")
    if archive_flag:
        argv.insert(1, archive_flag)
    bp = BareProcess(argv, cwd=str(ctx.cwd), stderr_path=ctx.logs / f"bare-count-{rep}.stderr")
    try:
        t, _, line = bp.wait_line("RESULT", 300)
        if "count=10 " not in line:
            raise KernelError(f"bare count printed {line!r}")
        inner = dict(kv.split("=") for kv in line.split()[1:])
        time.sleep(idle_s)
        return {"first_count_s": t - bp.t_spawn, "rss_idle_mb": bp.rss_mb(),
                "jvm_uptime_at_result_s": float(inner["jvm_uptime_ms"]) / 1000,
                "session_s": float(inner["session_ms"]) / 1000, "count_s": float(inner["count_ms"]) / 1000}
    finally:
        bp.stop()


def section_startup(ctx: Ctx) -> dict:
    # idle: read after the kernel's periodic collection (G1PeriodicGCInterval, 10 s without a collection) has run
    idle_s = 15.0 if ctx.quick else 20.0
    runs = {"ours": [], "ipykernel": [], "bare": [], "bare_cds": []}
    errors = []
    # The kernel maps a class archive its installer wrote; so that the comparison is not only that archive,
    # the bare program also runs with one of its own, written by one run of it first.
    bare_archive = WORK / "bare-count.jsa"
    bare_archive.unlink(missing_ok=True)
    try:
        run_bare_count(ctx, 0.0, -1, f"-XX:ArchiveClassesAtExit={bare_archive}")
    except Exception as e:
        errors.append(f"bare archive: {e}")
    sides = ["ours", "ipykernel", "bare"] + (["bare_cds"] if bare_archive.exists() else [])
    for rep in range(ctx.reps):
        order = sides[rep % len(sides):] + sides[:rep % len(sides)]  # rotate, so no side always runs first
        for who in order:
            try:
                if who == "ours":
                    r = run_ours_start(ctx, idle_s)
                elif who == "ipykernel":
                    r = run_ipykernel_start(ctx)
                elif who == "bare_cds":
                    r = run_bare_count(ctx, idle_s, rep, f"-XX:SharedArchiveFile={bare_archive}")
                else:
                    r = run_bare_count(ctx, idle_s, rep)
                r["rep"] = rep
                runs[who].append(r)
                log(f"startup rep {rep + 1}/{ctx.reps} {who}: " + ", ".join(
                    f"{k}={v:.3f}" for k, v in r.items() if isinstance(v, float)))
            except Exception as e:
                errors.append(f"{who} rep {rep}: {e}")
                log(f"startup rep {rep + 1} {who} FAILED: {e}")
            time.sleep(1)

    def col(who, key):
        return [r[key] for r in runs[who] if r.get(key) is not None]

    out = {
        "idle_wait_s": idle_s,
        "runs": runs,
        "errors": errors,
        "kernel_info_s": {"ours": summary(col("ours", "kernel_info_s")),
                          "ipykernel": summary(col("ipykernel", "kernel_info_s"))},
        "kernel_class_archive": ctx.kernel_archive,
        "first_count_s": {"ours": summary(col("ours", "first_count_s")), "bare": summary(col("bare", "first_count_s")),
                          "bare_cds": summary(col("bare_cds", "first_count_s"))},
        "rss_idle_mb": {"ours": summary(col("ours", "rss_idle_mb")), "bare": summary(col("bare", "rss_idle_mb"))},
    }
    # ratio of medians, and the per-repetition ratios (each pair ran back to back)
    out["first_count_ratio"] = ratio(out["first_count_s"]["ours"].get("median"),
                                     out["first_count_s"]["bare"].get("median"))
    pairs = [(a["first_count_s"], b["first_count_s"]) for a in runs["ours"] for b in runs["bare"]
             if a["rep"] == b["rep"]]
    out["first_count_ratio_per_rep"] = summary([a / b for a, b in pairs])
    out["first_count_ratio_vs_bare_cds"] = ratio(out["first_count_s"]["ours"].get("median"),
                                                 out["first_count_s"]["bare_cds"].get("median"))
    return out


# --------------------------------------------------------------------------
# 3: 1+1 round trip
# --------------------------------------------------------------------------


def roundtrips(k: Kernel, n: int, expect: str | None, code: str = "1+1") -> tuple[list[float], list[float]]:
    """n executes of code, each expected to show `expect` (None: to show no value)."""
    to_reply, to_idle = [], []
    for i in range(n):
        ex = k.execute(code.format(i=i), timeout=60)
        if (ex.result_plain or "").strip() != (expect or ""):
            raise KernelError(f"{code} gave {ex.result_plain!r}")
        to_reply.append((ex.t_reply - ex.t_sent) * 1000)
        if ex.t_idle is not None:
            to_idle.append((max(ex.t_idle, ex.t_reply) - ex.t_sent) * 1000)
    return to_reply, to_idle


DECLARATION = {"ours": "int benchDeclared = {i};", "ipykernel": "bench_declared = {i}"}


def section_roundtrip(ctx: Ctx) -> dict:
    n = 50 if ctx.quick else 200
    warm = 10 if ctx.quick else 30
    # later in a session: the same measure again after this many more cells (a cost that grows with the
    # cells run shows here; JIT warm-up no longer does). Under 1,000 cells in all: IPython empties its
    # output cache at 1,000 and that cell shows no value.
    later_after = 200 if ctx.quick else 500
    out = {"n": n, "warmup": warm, "later_after_cells": warm + n + later_after}
    for who, name, env in (("ours", KERNEL_NAME, ctx.kernel_env()), ("ipykernel", REFERENCE_KERNEL, None)):
        k = Kernel(name, env=env, cwd=str(ctx.cwd) if who == "ours" else None,
                   log_path=ctx.logs / ("kernels.log" if who == "ours" else "ipykernel.log"))
        try:
            k.start()
            if who == "ours":
                k.execute(FIRST_COUNT, timeout=300)  # the session is up: the state a student is in
            roundtrips(k, warm, "2")
            reply, idle = roundtrips(k, n, "2")
            out[who] = {"to_reply_ms": summary(reply), "to_idle_ms": summary(idle), "samples_ms": reply}
            log(f"roundtrip {who}: p50 {out[who]['to_reply_ms']['p50']:.1f} ms, "
                f"p95 {out[who]['to_reply_ms']['p95']:.1f} ms (n={n})")
            roundtrips(k, later_after, "2")
            later, _ = roundtrips(k, n, "2")
            out[who]["later_to_reply_ms"] = summary(later)
            log(f"roundtrip {who} after {out['later_after_cells']} cells: p50 {summary(later)['p50']:.1f} ms")
            # a declaration (a variable declared again each time): the lab kernel compiles a plain expression
            # itself, in one javac task; a declaration takes JShell's full path
            declared, _ = roundtrips(k, n, None, DECLARATION[who])
            out[who]["declaration_to_reply_ms"] = summary(declared)
            log(f"roundtrip {who} declaration: p50 {summary(declared)['p50']:.1f} ms")
        except Exception as e:
            out[who] = {"error": str(e)}
            log(f"roundtrip {who} FAILED: {e}")
        finally:
            k.shutdown()
    return out


# --------------------------------------------------------------------------
# 5: socket line -> update with the new count
# --------------------------------------------------------------------------

KERNEL_WORDCOUNT = """Dataset<Row> benchLines = spark.readStream().format("socket")
    .option("host", "127.0.0.1").option("port", {port}).load();
Dataset<Row> benchCounts = benchLines.select(expr("explode(split(value, ' ')) as word")).groupBy("word").count();
StreamingQuery benchQuery = benchCounts.writeStream().format("console").outputMode("complete")
    .option("numRows", 100000).option("checkpointLocation", "{chk}").queryName("bench_wc").start();"""


class LatencyRecorder:
    """Words sent (with their send time) and the first time each was seen with count 1."""

    def __init__(self):
        self.lock = threading.Lock()
        self.sent: dict[str, float] = {}
        self.seen: dict[str, float] = {}
        self.seen_alt: dict[str, float] = {}  # bare: when the bench read the batch line (same clock as sent_alt)
        self.sent_alt: dict[str, float] = {}

    def mark_sent(self, word: str, t: float, t_alt: float | None = None) -> None:
        with self.lock:
            self.sent[word] = t
            if t_alt is not None:
                self.sent_alt[word] = t_alt

    def mark_seen(self, word: str, t: float, t_alt: float | None = None) -> None:
        with self.lock:
            if word in self.sent and word not in self.seen:
                self.seen[word] = t
                if t_alt is not None:
                    self.seen_alt[word] = t_alt

    def wait_all(self, words: list[str], timeout: float, pump) -> None:
        deadline = time.perf_counter() + timeout
        while time.perf_counter() < deadline:
            with self.lock:
                if all(w in self.seen for w in words):
                    return
            pump(0.05)

    def latencies_ms(self, words: list[str], alt: bool = False) -> tuple[list[float], int]:
        sent, seen = (self.sent_alt, self.seen_alt) if alt else (self.sent, self.seen)
        with self.lock:
            lat = [(seen[w] - sent[w]) * 1000 for w in words if w in seen and w in sent]
            missing = sum(1 for w in words if w not in seen)
        return lat, missing


def paced(words: list[str], rate: float, send, pump) -> float:
    """Sends the words at `rate` lines a second; returns the achieved rate."""
    t0 = time.perf_counter() + 0.1
    for i, w in enumerate(words):
        target = t0 + i / rate
        while True:
            left = target - time.perf_counter()
            if left <= 0:
                break
            pump(min(left, 0.02))
        send(w)
    elapsed = time.perf_counter() - t0
    return (len(words) - 1) / elapsed if len(words) > 1 and elapsed > 0 else float(rate)


def socket_plan(ctx: Ctx) -> dict:
    if ctx.quick:
        return {"warmup": 3, "rounds": 1, "lines": {1: 12, 5: 30}}
    return {"warmup": 5, "rounds": 2, "lines": {1: 40, 5: 100}}


def socket_run_kernel(ctx: Ctx, tag: str, interval_ms: int | None, plan: dict) -> dict:
    env = ctx.kernel_env(SPARK_LAB_MAX_ROWS=100000)
    if interval_ms is not None:
        env["SPARK_LAB_LIVE_VIEW_INTERVAL_MS"] = str(interval_ms)
    port = free_port()
    chk = WORK / f"chk-{uuid.uuid4().hex[:8]}"
    rec = LatencyRecorder()
    k = Kernel(KERNEL_NAME, env=env, cwd=str(ctx.cwd), log_path=ctx.logs / "kernels.log")
    view = {"id": None}
    updates = [0]

    def on_iopub(t, msg):
        if msg["header"]["msg_type"] != "update_display_data":
            return
        if (msg["content"].get("transient") or {}).get("display_id") != view["id"]:
            return
        updates[0] += 1
        for row in table_rows(msg["content"]["data"].get("text/html", "")):
            if len(row) >= 2 and row[1] == "1":
                rec.mark_seen(row[0], t)

    out: dict = {"interval_ms": interval_ms if interval_ms is not None else 250, "rates": {}}
    sends: list[str] = []
    try:
        k.start()
        k.execute(FIRST_COUNT, timeout=300)
        k.execute(f"%socket start {port}")
        k.listeners.append(on_iopub)
        started = k.execute(KERNEL_WORDCOUNT.format(port=port, chk=chk))
        shown = started.of_type("display_data")
        if not shown or not (shown[0][1]["content"].get("transient") or {}).get("display_id"):
            raise KernelError("starting the query showed no live view with a display id")
        view["id"] = shown[0][1]["content"]["transient"]["display_id"]

        def send(word):
            t = time.perf_counter()
            rec.mark_sent(word, t)
            mid = k.kc.execute(f"%%socket send {port}\n{word}", store_history=True, allow_stdin=False)
            sends.append(mid)

        # the first line synchronously: it must reach the query (the query connects when it starts)
        first = f"{tag}warm0"
        rec.mark_sent(first, time.perf_counter())
        ex = k.execute(f"%%socket send {port}\n{first}")
        if "Sent 1 line" not in ex.text():
            raise KernelError(f"the send was not delivered: {ex.text()[:300]}")
        rec.wait_all([first], 120, k.pump)
        warm = [f"{tag}warm{i}" for i in range(1, plan["warmup"] + 1)]
        paced(warm, 1.0, send, k.pump)
        rec.wait_all(warm, 30, k.pump)
        for rate, n in plan["lines"].items():
            words = [f"{tag}r{rate}n{i:04d}" for i in range(n)]
            achieved = paced(words, float(rate), send, k.pump)
            rec.wait_all(words, 30, k.pump)
            lat, missing = rec.latencies_ms(words)
            out["rates"][rate] = {"latencies_ms": lat, "missing": missing, "achieved_rate": achieved}
            log(f"socket {tag} {rate}/s: p50 {percentile(lat, 50) or float('nan'):.0f} ms, "
                f"p95 {percentile(lat, 95) or float('nan'):.0f} ms, missing {missing}")
        k.pump(1.0)
        failed = [m for m in sends if (k.reply_of(m) or (0, {"content": {"status": "?"}}))[1]["content"].get("status") != "ok"]
        out["send_cells_not_ok"] = len(failed)
        out["updates_received"] = updates[0]
        out["rss_end_mb"] = k.rss_mb()
        k.execute("%stream stop all", check=False)
        k.execute("%socket stop", check=False)
    finally:
        k.shutdown()
        shutil.rmtree(chk, ignore_errors=True)
    return out


def socket_run_bare(ctx: Ctx, tag: str, plan: dict, rnd: int) -> dict:
    chk = WORK / f"chk-{uuid.uuid4().hex[:8]}"
    rec = LatencyRecorder()
    srv = socket.socket()
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind(("127.0.0.1", 0))
    srv.listen(1)
    port = srv.getsockname()[1]
    bp = BareProcess(ctx.bare_argv("BareSocketWordCount", "127.0.0.1", str(port), str(chk),
                                   log_name=f"bare-socket-{rnd}"),
                     cwd=str(ctx.cwd), stderr_path=ctx.logs / f"bare-socket-{rnd}.stderr")
    batches = [0]

    def on_line(t, wall, line):
        if not line.startswith("BATCH "):
            return
        batches[0] += 1
        parts = line.split()
        at = int(parts[1]) / 1000.0
        for tok in parts[3:]:
            word, _, count = tok.rpartition("=")
            if count == "1":
                rec.mark_seen(word, at, t)

    bp.listeners.append(on_line)
    out: dict = {"rates": {}}
    conn = None
    try:
        srv.settimeout(300)
        conn, _ = srv.accept()  # the socket source connects when the query starts
        conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

        def send(word):
            rec.mark_sent(word, time.time(), time.perf_counter())
            conn.sendall((word + "\n").encode())

        def pump(s):
            time.sleep(s)

        first = f"{tag}warm0"
        send(first)
        rec.wait_all([first], 120, pump)
        warm = [f"{tag}warm{i}" for i in range(1, plan["warmup"] + 1)]
        paced(warm, 1.0, send, pump)
        rec.wait_all(warm, 30, pump)
        for rate, n in plan["lines"].items():
            words = [f"{tag}r{rate}n{i:04d}" for i in range(n)]
            achieved = paced(words, float(rate), send, pump)
            rec.wait_all(words, 30, pump)
            lat, missing = rec.latencies_ms(words)
            lat_read, _ = rec.latencies_ms(words, alt=True)
            out["rates"][rate] = {"latencies_ms": lat, "latencies_read_ms": lat_read, "missing": missing,
                                  "achieved_rate": achieved}
            log(f"socket {tag} {rate}/s: p50 {percentile(lat, 50) or float('nan'):.0f} ms, "
                f"p95 {percentile(lat, 95) or float('nan'):.0f} ms, missing {missing}")
        out["batches"] = batches[0]
        out["rss_end_mb"] = bp.rss_mb()
    finally:
        if conn is not None:
            conn.close()
        bp.stop()
        srv.close()
        shutil.rmtree(chk, ignore_errors=True)
    return out


def section_socket(ctx: Ctx) -> dict:
    plan = socket_plan(ctx)
    configs = [("bare", None), ("ours", None), ("ours_fast", 10)]
    tags = {"bare": "b", "ours": "o", "ours_fast": "f"}
    raw: dict = {c: [] for c, _ in configs}
    errors = []
    for rnd in range(plan["rounds"]):
        for name, interval in configs:
            tag = f"{tags[name]}{rnd}x"
            try:
                if name == "bare":
                    raw[name].append(socket_run_bare(ctx, tag, plan, rnd))
                else:
                    raw[name].append(socket_run_kernel(ctx, tag, interval, plan))
            except Exception as e:
                errors.append(f"{name} round {rnd}: {e}")
                log(f"socket {name} round {rnd} FAILED: {e}")
                traceback.print_exc()
            time.sleep(1)
    out = {"plan": {"warmup": plan["warmup"], "rounds": plan["rounds"],
                    "lines": {str(r): n for r, n in plan["lines"].items()}},
           "errors": errors, "runs": raw, "by_rate": {}}
    for rate in plan["lines"]:
        row = {}
        for name, _ in configs:
            lat = [x for run in raw[name] for x in run["rates"].get(rate, {}).get("latencies_ms", [])]
            missing = sum(run["rates"].get(rate, {}).get("missing", 0) for run in raw[name])
            rates = [run["rates"][rate]["achieved_rate"] for run in raw[name] if rate in run["rates"]]
            row[name] = {"summary": summary(lat), "missing": missing, "achieved_rate": summary(rates)}
            if name == "bare":
                lat_read = [x for run in raw[name] for x in run["rates"].get(rate, {}).get("latencies_read_ms", [])]
                row[name]["summary_read"] = summary(lat_read)
        bare50 = row["bare"]["summary"].get("p50")
        row["ratio_p50"] = ratio(row["ours"]["summary"].get("p50"), bare50)
        row["ratio_p50_fast"] = ratio(row["ours_fast"]["summary"].get("p50"), bare50)
        row["ratio_p95"] = ratio(row["ours"]["summary"].get("p95"), row["bare"]["summary"].get("p95"))
        out["by_rate"][str(rate)] = row
    return out


# --------------------------------------------------------------------------
# 6a: the long run (rate source, 1,000 records/s, live view open)
# --------------------------------------------------------------------------

LONGRUN_SAMPLER = """long benchLastBatch = -1;
String benchSample(StreamingQuery q) {
    StringBuilder sb = new StringBuilder();
    for (StreamingQueryProgress p : q.recentProgress()) {
        if (p.batchId() <= benchLastBatch) continue;
        benchLastBatch = p.batchId();
        sb.append("P ").append(p.batchId()).append(' ').append(p.timestamp()).append(' ')
          .append(p.durationMs().get("triggerExecution")).append(' ').append(p.numInputRows()).append('\\n');
    }
    Runtime rt = Runtime.getRuntime();
    sb.append("H ").append(rt.totalMemory() - rt.freeMemory()).append(' ').append(rt.totalMemory()).append('\\n');
    return sb.toString();
}
long benchLiveHeap() {
    Runtime rt = Runtime.getRuntime();
    System.gc();
    return rt.totalMemory() - rt.freeMemory();
}"""

LONGRUN_QUERY = """StreamingQuery benchLong = spark.readStream().format("rate").option("rowsPerSecond", {rate}).load()
    .selectExpr("value % 100 AS bucket", "value").groupBy("bucket").agg(count("*").as("n"), max("value").as("last"))
    .writeStream().format("console").outputMode("complete").queryName("bench_long").start();"""


def section_longrun(ctx: Ctx, rate: int = 1000) -> dict:
    duration = ctx.longrun_s
    every = 5.0  # progress, heap and RSS sample
    heap_every = 15.0 if duration <= 120 else 60.0  # live heap (after a forced full GC) sample
    warmup = min(60.0, duration / 4)
    half = duration / 2
    k = Kernel(KERNEL_NAME, env=ctx.kernel_env(), cwd=str(ctx.cwd), log_path=ctx.logs / "kernels.log")
    view = {"id": None}
    update_times: list[float] = []

    def on_iopub(t, msg):
        if msg["header"]["msg_type"] == "update_display_data" and \
                (msg["content"].get("transient") or {}).get("display_id") == view["id"]:
            update_times.append(t)

    samples, batches, live_heap = [], {}, []
    out: dict = {"rate_per_s": rate, "duration_s": duration, "sample_every_s": every, "live_heap_every_s": heap_every,
                 "warmup_s": warmup}
    try:
        k.start()
        k.execute(FIRST_COUNT, timeout=300)
        k.execute(LONGRUN_SAMPLER)
        k.listeners.append(on_iopub)
        started = k.execute(LONGRUN_QUERY.format(rate=rate))
        shown = started.of_type("display_data")
        view["id"] = (shown[0][1]["content"].get("transient") or {}).get("display_id") if shown else None
        t0 = time.perf_counter()
        next_at, next_heap = t0, warmup
        while True:
            now = time.perf_counter() - t0
            if now >= duration:
                break
            if now >= next_heap:
                ex = k.execute("benchLiveHeap()")
                live_heap.append({"t_s": time.perf_counter() - t0, "mb": int(ex.result_plain.strip()) / 2**20,
                                  "gc_cell_ms": (ex.t_reply - ex.t_sent) * 1000})
                next_heap += heap_every
            next_at += every
            time.sleep(max(0.0, next_at - time.perf_counter()))
            ex = k.execute("System.out.print(benchSample(benchLong));", timeout=120)
            t = time.perf_counter() - t0
            heap_used = heap_total = None
            for line in ex.stdout.splitlines():
                parts = line.split()
                if parts and parts[0] == "P" and len(parts) >= 5:
                    ts = dt.datetime.fromisoformat(parts[2].replace("Z", "+00:00")).timestamp()
                    batches[int(parts[1])] = {"ts": ts, "duration_ms": int(parts[3]), "rows": int(parts[4])}
                elif parts and parts[0] == "H":
                    heap_used, heap_total = int(parts[1]) / 2**20, int(parts[2]) / 2**20
            samples.append({"t_s": t, "rss_mb": k.rss_mb(), "heap_used_mb": heap_used, "heap_total_mb": heap_total,
                            "cell_ms": (ex.t_reply - ex.t_sent) * 1000})
            if len(samples) % 12 == 0:
                log(f"longrun {t:.0f}/{duration:.0f} s: RSS {samples[-1]['rss_mb']:.0f} MB, "
                    f"{len(batches)} batches, last {list(batches.values())[-1]['duration_ms'] if batches else '-'} ms, "
                    f"live heap {live_heap[-1]['mb'] if live_heap else float('nan'):.0f} MB")
        ex = k.execute("benchLiveHeap()")
        live_heap.append({"t_s": time.perf_counter() - t0, "mb": int(ex.result_plain.strip()) / 2**20,
                          "gc_cell_ms": (ex.t_reply - ex.t_sent) * 1000})
        ex = k.execute("benchLong.status().json()", check=False)
        out["final_status"] = (ex.result_plain or "").strip().strip('"')[:300]
        k.execute("%stream stop all", check=False)
    finally:
        k.shutdown()

    if not batches:
        out["error"] = "no batch progress was read"
        return out
    first_ts = min(b["ts"] for b in batches.values())
    out["samples"] = samples
    out["batches"] = [{"batch": i, "t_s": b["ts"] - first_ts, "duration_ms": b["duration_ms"], "rows": b["rows"]}
                      for i, b in sorted(batches.items())]
    out["live_heap"] = live_heap
    if update_times:
        up_span = update_times[-1] - update_times[0]
        out["view_updates"] = {"count": len(update_times),
                               "per_s": (len(update_times) - 1) / up_span if up_span > 0 else None}
    return longrun_summary(out)


def longrun_summary(out: dict) -> dict:
    """The long run's figures from its raw series (samples, batches, live_heap); also used to
    recompute them from a saved result: python bench/bench.py --resummarize RESULT.json"""
    duration, warmup = out["duration_s"], out["warmup_s"]
    half = duration / 2
    samples, series, live_heap = out["samples"], out["batches"], out.get("live_heap", [])
    steady = [s for s in samples if s["t_s"] >= warmup]
    second = [s for s in samples if s["t_s"] >= half]
    out["rss_slope_mb_per_min"] = (slope([s["t_s"] for s in steady], [s["rss_mb"] for s in steady]) or 0) * 60
    out["rss_slope_second_half_mb_per_min"] = (slope([s["t_s"] for s in second],
                                                     [s["rss_mb"] for s in second]) or 0) * 60
    out["rss_mb"] = {"at_warmup_end": steady[0]["rss_mb"] if steady else None,
                     "at_half": second[0]["rss_mb"] if second else None, "end": samples[-1]["rss_mb"],
                     "max": max(s["rss_mb"] for s in samples if s["rss_mb"] is not None),
                     "max_first_half": max((s["rss_mb"] for s in steady if s["t_s"] < half), default=None),
                     "max_second_half": max((s["rss_mb"] for s in second), default=None)}
    steady_b = [b for b in series if b["t_s"] >= warmup]
    q = max(1, len(steady_b) // 4)
    first_q = summary([b["duration_ms"] for b in steady_b[:q]])
    last_q = summary([b["duration_ms"] for b in steady_b[-q:]])
    out["batch_ms"] = {"all_steady": summary([b["duration_ms"] for b in steady_b]), "first_quarter": first_q,
                       "last_quarter": last_q}
    out["batch_growth"] = ratio(last_q.get("p50"), first_q.get("p50"))
    span = series[-1]["t_s"] - series[0]["t_s"]
    out["input_rows_per_s"] = sum(b["rows"] for b in series[1:]) / span if span > 0 else None
    if len(live_heap) >= 2:
        # Spark's own bounded bookkeeping (UI history, state store versions) makes the live heap
        # swing between GCs; a leak raises its floor. Floor = the smallest live heap of each half.
        first_h = [h["mb"] for h in live_heap if h["t_s"] < half]
        second_h = [h["mb"] for h in live_heap if h["t_s"] >= half]
        out["live_heap_mb"] = {"first": live_heap[0]["mb"], "end": live_heap[-1]["mb"],
                               "floor_first_half": min(first_h) if first_h else None,
                               "floor_second_half": min(second_h) if second_h else None,
                               "max": max(h["mb"] for h in live_heap)}
        out.pop("live_heap_growth_after_warmup_mb", None)
        if first_h and second_h:
            out["live_heap_growth_mb"] = min(second_h) - min(first_h)
    return out


# --------------------------------------------------------------------------
# 6b: memory across the lessons (kernel + its children, e.g. the broker JVM)
# --------------------------------------------------------------------------


def describe_process(cmd: str) -> str:
    """'java -jar NAME.jar' / 'java MAIN' / the program's name, from a command line."""
    args = cmd.split(" ")
    prog = args[0].rsplit("/", 1)[-1] if args else "?"
    if prog == "java":
        if "-jar" in args and args.index("-jar") + 1 < len(args):
            return "java -jar " + args[args.index("-jar") + 1].rsplit("/", 1)[-1]
        rest = [a for a in args[1:] if not a.startswith("-")]
        return "java " + (rest[1] if len(rest) > 1 and args[args.index(rest[0]) - 1] in ("-cp", "-classpath")
                          else (rest[0] if rest else ""))
    return prog


def section_lessons(ctx: Ctx) -> dict:
    """Executes every lesson notebook (notebooks/*.ipynb) with nbclient in a fresh kernel, as a
    student opening them one after another would, and samples the RSS of the kernel JVM and of
    everything it started (the embedded broker runs as its own JVM, a child of the kernel)."""
    import nbformat
    from nbclient import NotebookClient

    out = {"lessons": [], "note": "kernel + broker peak RSS; the broker shows up once a lesson starts it"}
    # a fresh copy of notebooks/ (data files beside the lessons, checkpoints written next to them)
    lessons_dir = WORK / "lessons"
    if lessons_dir.exists():
        shutil.rmtree(lessons_dir)
    shutil.copytree(ROOT / "notebooks", lessons_dir, ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
    notebooks = sorted(lessons_dir.glob("*.ipynb"))
    for path in notebooks:
        nb = nbformat.read(path, as_version=4)
        client = NotebookClient(nb, kernel_name=KERNEL_NAME, timeout=600, startup_timeout=180)
        stop = threading.Event()
        peaks = {"kernel_mb": 0.0, "tree_mb": 0.0, "children": 0, "trace": [], "child_cmds": set()}
        t0 = time.perf_counter()

        def sample():
            # A child counts once it is seen in two samples in a row: short-lived helpers that the JVM
            # forks (Hadoop's shell commands) briefly show the parent's pages as their own RSS.
            previous: set[int] = set()
            while not stop.is_set():
                km = getattr(client, "km", None)
                pid = getattr(getattr(km, "provisioner", None), "pid", None) if km is not None else None
                if pid:
                    _, parts = tree_rss_mb(pid)
                    kernel = parts.get(pid, 0.0)
                    own = cmdline(pid)
                    kids = {p: r for p, r in parts.items() if p != pid and p in previous
                            and "jspawnhelper" not in cmdline(p) and cmdline(p) != own}
                    previous = set(parts) - {pid}
                    total = kernel + sum(kids.values())
                    for p in kids:
                        peaks["child_cmds"].add(describe_process(cmdline(p)))
                    peaks["kernel_mb"] = max(peaks["kernel_mb"], kernel)
                    peaks["tree_mb"] = max(peaks["tree_mb"], total)
                    peaks["children"] = max(peaks["children"], len(kids))
                    peaks["trace"].append((round(time.perf_counter() - t0, 2), round(kernel, 1), round(total, 1)))
                stop.wait(0.5)

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        entry = {"notebook": path.name}
        kenv: dict = {}
        try:
            kenv = ctx.kafka_env()
            client.execute(env=dict(os.environ, **ctx.kernel_env(**kenv)), cwd=str(lessons_dir))
            entry["status"] = "ok"
        except Exception as e:
            if getattr(e, "ename", None):
                why = f"{e.ename}: {str(getattr(e, 'evalue', '')).strip().splitlines()[0] if getattr(e, 'evalue', '') else ''}"
            else:
                why = (str(e).strip().splitlines() or [type(e).__name__])[-1]
            entry["status"] = f"failed: {why[:200]}"
            done = sum(1 for c in nb.cells if c.get("cell_type") == "code" and c.get("outputs") is not None
                       and c.get("execution_count"))
            entry["cells_run"] = done
        finally:
            stop.set()
            sampler.join(5)
        shutil.rmtree(kenv.get("SPARK_LAB_KAFKA_DIR", WORK / "none"), ignore_errors=True)
        entry.update({"seconds": time.perf_counter() - t0, "peak_kernel_mb": peaks["kernel_mb"],
                      "peak_tree_mb": peaks["tree_mb"], "max_children": peaks["children"], "trace": peaks["trace"],
                      "children_seen": sorted(peaks["child_cmds"])})
        out["lessons"].append(entry)
        log(f"lesson {path.name}: {entry['status']}, peak kernel {peaks['kernel_mb']:.0f} MB, "
            f"kernel+children {peaks['tree_mb']:.0f} MB")
    if out["lessons"]:
        out["peak_kernel_mb"] = max(e["peak_kernel_mb"] for e in out["lessons"])
        out["peak_tree_mb"] = max(e["peak_tree_mb"] for e in out["lessons"])
    kafka_lessons = [e for e in out["lessons"] if e["max_children"] > 0]
    if not kafka_lessons:
        out["broker_note"] = ("no lesson started a broker in this run (no Kafka lesson in notebooks/ yet): "
                              "the peak is the kernel alone")
    return out


# --------------------------------------------------------------------------
# 6c: title analysis over 1 M Kafka records (hook)
# --------------------------------------------------------------------------


TITLES_SCHEMA = """StructType benchPeopleSchema = new StructType()
    .add("id", DataTypes.StringType).add("name", DataTypes.StringType).add("title", DataTypes.StringType);"""

TITLES_QUERY = """StreamingQuery benchTitles = spark.readStream().format("kafka")
    .option("kafka.bootstrap.servers", kafkaBootstrapServers()).option("subscribe", "{topic}")
    .option("startingOffsets", "earliest").load()
    .select(from_json(col("value").cast("string"), benchPeopleSchema).alias("value"))
    .groupBy(col("value.title").alias("title")).count()
    .writeStream().format("memory").outputMode("complete").trigger(Trigger.AvailableNow())
    .option("checkpointLocation", "{chk}").queryName("{name}").start();
benchTitles.awaitTermination();"""


def section_titles(ctx: Ctx) -> dict:
    """Title analysis of the Kafka lesson over N fake people records (1 M; --quick 100 k) with an
    available-now trigger: through the kernel (a cell that starts the query and waits for it,
    timed from execute_request to execute_reply) vs bench/java/BareTitleAnalysis.java (the same
    query, timed from start() to termination inside the program), repetitions interleaved after one
    unrecorded warm-up run each. Both
    read the topic of the kernel's embedded broker (%kafka start), filled once by
    `%kafka produce --fake people`; while the bare program runs, the kernel sits idle."""
    if ctx.broker_jar is None:
        return {"status": "not measured", "why": "the broker jar (broker/target/spark-streaming-lab-broker.jar) "
                                                 "is not built"}
    n = 100_000 if ctx.quick else 1_000_000
    reps = 2 if ctx.quick else 3
    topic = "bench_people"
    kenv = ctx.kafka_env()
    out: dict = {"records": n, "reps": reps, "ours": [], "bare": [], "warmup_ours": [], "warmup_bare": []}
    k = Kernel(KERNEL_NAME, env=ctx.kernel_env(**kenv), cwd=str(ctx.cwd), log_path=ctx.logs / "kernels.log")
    bp = None
    try:
        k.start()
        k.execute(FIRST_COUNT, timeout=300)
        said = k.execute("%kafka start --fresh", timeout=180).result_plain or ""
        # the broker's own account of its start ("started at HOST:PORT in 2.4 s (pid N)") and its memory
        started = re.search(r"started at \S+ in ([\d.]+) s \(pid (\d+)\)", said)
        broker_pid = int(started.group(2)) if started else None
        out["broker_start_s"] = float(started.group(1)) if started else None
        out["broker_rss_mb_started"] = rss_mb(broker_pid) if broker_pid else None
        k.execute(f"%kafka create {topic} --partitions 3", timeout=120)
        ex = k.execute(f"%kafka produce {topic} --fake people --count {n} --seed 42 --wait", timeout=1800)
        out["produce_s"] = ex.t_reply - ex.t_sent
        out["produce_records_per_s"] = n / out["produce_s"]
        out["broker_rss_mb_filled"] = rss_mb(broker_pid) if broker_pid else None
        log(f"titles: broker started in {out['broker_start_s']} s, RSS {out['broker_rss_mb_started']} MB; "
            f"{n} records produced in {out['produce_s']:.1f} s, broker RSS then {out['broker_rss_mb_filled']} MB")
        boot = k.execute("kafkaBootstrapServers()").result_plain.strip().strip('"')
        out["bootstrap"] = boot
        k.execute(TITLES_SCHEMA)
        bp = BareProcess(ctx.bare_argv("BareTitleAnalysis", boot, topic, log_name="bare-titles"), cwd=str(ctx.cwd),
                         stderr_path=ctx.logs / "bare-titles.stderr")
        bp.wait_line("READY", 300)
        # one unrecorded run each first: the bare JVM is fresh while the kernel's has just run the producer, and
        # JIT warm-up would otherwise count against the bare program in the first runs
        for rep in [-1] + list(range(reps)):
            name = f"bench_titles_{rep}" if rep >= 0 else "bench_titles_warmup"
            chk = WORK / f"chk-{uuid.uuid4().hex[:8]}"
            ex = k.execute(TITLES_QUERY.format(topic=topic, chk=chk, name=name), timeout=1800)
            secs = ex.t_reply - ex.t_sent
            total = int(k.execute(f'spark.table("{name}").agg(sum("count")).first().getLong(0)')
                        .result_plain.strip())
            (out["ours"] if rep >= 0 else out["warmup_ours"]).append(
                {"seconds": secs, "records_per_s": n / secs, "sum_of_counts": total})
            shutil.rmtree(chk, ignore_errors=True)
            log(f"titles rep {rep + 1}/{reps} kernel: {secs:.2f} s ({n / secs:,.0f} records/s), counted {total}")

            chk = WORK / f"chk-{uuid.uuid4().hex[:8]}"
            seen = len(bp.lines)
            bp.send(f"RUN {name} {chk}")
            _, _, line = bp.wait_line("DONE", 1800, after=seen)
            secs, total = float(line.split()[1]) / 1000, int(line.split()[2])
            (out["bare"] if rep >= 0 else out["warmup_bare"]).append(
                {"seconds": secs, "records_per_s": n / secs, "sum_of_counts": total})
            shutil.rmtree(chk, ignore_errors=True)
            log(f"titles rep {rep + 1}/{reps} bare: {secs:.2f} s ({n / secs:,.0f} records/s), counted {total}")
        k.execute("%stream stop all", check=False)
        k.execute("%kafka stop", check=False, timeout=120)
    finally:
        if bp is not None:
            bp.stop()
        k.shutdown()
        shutil.rmtree(kenv["SPARK_LAB_KAFKA_DIR"], ignore_errors=True)
    out["status"] = "measured"
    for who in ("ours", "bare"):
        out[who + "_summary"] = summary([r["seconds"] for r in out[who]])
        out[who + "_warm_summary"] = summary([r["seconds"] for r in out[who][1:]])
        out[who + "_wrong_counts"] = sum(1 for r in out[who] if r["sum_of_counts"] != n)
    out["ratio"] = ratio(out["ours_summary"].get("median"), out["bare_summary"].get("median"))
    out["ratio_warm"] = ratio(out["ours_warm_summary"].get("median"), out["bare_warm_summary"].get("median"))
    # the terms: the kernel's records per second as a share of the bare program's (1 / the time ratio)
    out["throughput_ratio"] = ratio(out["bare_summary"].get("median"), out["ours_summary"].get("median"))
    return out


# --------------------------------------------------------------------------
# main
# --------------------------------------------------------------------------


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="2 repetitions, short streams, 1-minute long run")
    ap.add_argument("--only", help=f"comma-separated sections of {','.join(SECTIONS)}")
    ap.add_argument("--reps", type=int, help="repetitions of the startup measurements")
    ap.add_argument("--longrun-minutes", type=float, help="length of the long run")
    ap.add_argument("--jar", default=str(ROOT / "kernel" / "target" / "spark-streaming-lab-kernel.jar"))
    ap.add_argument("--no-report", action="store_true", help="write the JSON only, not docs/benchmarks.md")
    ap.add_argument("--resummarize", metavar="RESULT_JSON",
                    help="recompute the derived long-run figures of a saved result from its raw series, rewrite it "
                         "and the report (no measurement)")
    args = ap.parse_args()
    if args.resummarize:
        path = Path(args.resummarize).resolve()
        saved = json.loads(path.read_text())
        if saved.get("sections", {}).get("longrun", {}).get("samples"):
            longrun_summary(saved["sections"]["longrun"])
        path.write_text(json.dumps(saved, indent=1, default=str))
        import report
        log(f"report in {report.write(saved, path, RESULTS, DOCS)}")
        return 0
    only = args.only.split(",") if args.only else SECTIONS
    unknown = [s for s in only if s not in SECTIONS]
    if unknown:
        ap.error(f"unknown section(s) {unknown}; choose from {SECTIONS}")

    ctx = Ctx(args)
    if not ctx.kernel_jar_src.exists():
        print(f"bench: {ctx.kernel_jar_src} not found; build it with mvn -B -q package -DskipTests -pl kernel",
              file=sys.stderr)
        return 2

    # SIGTERM ends like Ctrl-C: the finally blocks shut kernels and bare programs down
    signal.signal(signal.SIGTERM, lambda *_: (_ for _ in ()).throw(KeyboardInterrupt()))

    started = dt.datetime.now()
    results: dict = {"started": started.isoformat(timespec="seconds"), "mode": ctx.mode, "reps": ctx.reps,
                     "sections_run": only, "load_at_start": loadavg(), "targets": TARGETS}
    results["setup"] = setup(ctx)
    results["machine"] = machine_info(ctx)
    log(f"{ctx.mode} run, {ctx.reps} repetitions, load average {results['load_at_start']}")
    sections = {"startup": section_startup, "roundtrip": section_roundtrip, "socket": section_socket,
                "longrun": section_longrun, "lessons": section_lessons, "titles": section_titles}
    results["sections"] = {}
    try:
        for name in SECTIONS:
            if name not in only:
                continue
            log(f"== {name} (load {loadavg()})")
            t = time.perf_counter()
            try:
                results["sections"][name] = sections[name](ctx)
            except KeyboardInterrupt:
                raise
            except Exception as e:
                traceback.print_exc()
                results["sections"][name] = {"error": f"{type(e).__name__}: {e}"}
            results["sections"][name]["section_seconds"] = time.perf_counter() - t
    except KeyboardInterrupt:
        log("interrupted: writing what was measured")
        results["interrupted"] = True
    results["leftover_processes"] = reap_leftovers()
    results["load_at_end"] = loadavg()
    results["finished"] = dt.datetime.now().isoformat(timespec="seconds")

    RESULTS.mkdir(parents=True, exist_ok=True)
    name = started.strftime("%Y%m%d-%H%M") + ("-quick" if ctx.quick else "") + ".json"
    path = RESULTS / name
    path.write_text(json.dumps(results, indent=1, default=str))
    log(f"results in {path.relative_to(ROOT)}")
    if not args.no_report:
        import report
        md = report.write(json.loads(path.read_text()), path, RESULTS, DOCS)
        log(f"report in {md.relative_to(ROOT)}")
    return 1 if results.get("interrupted") else 0


if __name__ == "__main__":
    sys.exit(main())
