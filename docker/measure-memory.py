#!/usr/bin/env python3
"""Peak memory of the lab as Binder runs it: the Jupyter server, the kernel and the embedded broker,
with the kernel's JVM seeing a container of SIZE (-XX:MaxRAM, what the JVM also reads from a cgroup
limit). Runs the lessons through a real Jupyter server (REST API + websocket, as JupyterLab does), one
kernel at a time, and samples the resident memory (RSS) of every process every 0.3 s.

  .venv/bin/python docker/measure-memory.py [--ram 2g] [--heap-flag=-XX:MaxRAMPercentage=50]
                                            [--kafka] [--cell-timeout 400] [NOTEBOOK...]

NOTEBOOK defaults to the lessons (notebooks/0*.ipynb) and the exercise solutions. --kafka adds a
workload on the embedded broker (started as %kafka start starts it): 300 000 records written by Spark,
then read and aggregated by a streaming query. Needs a built kernel and broker and a JupyterLab in the
lab's environment (install/start-lab.sh --install-only). Nothing is written outside a temporary folder.

Forked children that have not exec'd yet (Hadoop's local file system spawns chmod and friends) show
their parent's RSS; they share its memory, so they are not counted twice.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

import nbformat  # noqa: E402

import test_install as lab  # noqa: E402  (its Jupyter server and websocket helpers)


def rss_kb(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def cmdline(pid: int) -> bytes:
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as f:
            return f.read()
    except OSError:
        return b""


def process_tree(root: int) -> list[int]:
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as f:
                    ppid = int(f.read().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(ppid, []).append(int(entry))
    found, todo = [], [root]
    while todo:
        pid = todo.pop()
        found.append(pid)
        todo += [c for c in children.get(pid, []) if cmdline(c) != cmdline(pid)]  # skip not-yet-exec'd forks
    return found


class Sampler(threading.Thread):
    def __init__(self, server_pid: int):
        super().__init__(daemon=True)
        self.server_pid = server_pid
        self.broker_pid: int | None = None
        self.peak = {"server": 0, "kernel": 0, "broker": 0, "total": 0}
        self.window = dict(self.peak)
        self.stopped = threading.Event()

    def run(self) -> None:
        while not self.stopped.is_set():
            server = rss_kb(self.server_pid)
            kernel = sum(rss_kb(p) for p in process_tree(self.server_pid) if p != self.server_pid)
            broker = rss_kb(self.broker_pid) if self.broker_pid else 0
            for key, value in (("server", server), ("kernel", kernel), ("broker", broker),
                               ("total", server + kernel + broker)):
                self.peak[key] = max(self.peak[key], value)
                self.window[key] = max(self.window[key], value)
            time.sleep(0.3)

    def take_window(self) -> dict:
        window, self.window = self.window, {k: 0 for k in self.window}
        return {k: round(v / 1024) for k, v in window.items()}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--ram", default="2g", help="the memory the kernel's JVM sees (-XX:MaxRAM)")
    ap.add_argument("--heap-flag", default=None, help="the heap setting (default: the kernelspec's own)")
    ap.add_argument("--kafka", action="store_true", help="add the Kafka workload on the embedded broker")
    ap.add_argument("--cell-timeout", type=float, default=400)
    ap.add_argument("notebooks", nargs="*", type=Path)
    args = ap.parse_args()

    tmp = Path(tempfile.mkdtemp(prefix="lab-memory-"))
    nbdir = tmp / "notebooks"
    shutil.copytree(ROOT / "notebooks", nbdir)
    notebooks = [nbdir / p.resolve().relative_to(ROOT / "notebooks") for p in args.notebooks] or \
        sorted(nbdir.glob("0*.ipynb")) + sorted((nbdir / "exercises").glob("*solution.ipynb"))

    prefix = tmp / "prefix"
    subprocess.run(["java", "-jar", str(ROOT / "kernel/target/spark-streaming-lab-kernel.jar"), "install",
                    "--prefix", str(prefix), "--name", "lab-measured"], check=True, capture_output=True)
    spec_path = prefix / "share/jupyter/kernels/lab-measured/kernel.json"
    spec = json.loads(spec_path.read_text())
    argv = spec["argv"]
    if args.heap_flag:
        argv = [a for a in argv if not a.startswith(("-XX:MaxRAMPercentage", "-Xmx"))]
        argv.insert(1, args.heap_flag)
    argv.insert(1, f"-XX:MaxRAM={args.ram}")
    spec["argv"] = argv
    spec_path.write_text(json.dumps(spec))
    heap = [a for a in argv if a.startswith(("-XX:MaxRAMPercentage", "-Xmx"))]

    kafka_port = lab.free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("JUPYTER_", "SPARK_", "KAFKA_"))}
    env.update(HOME=str(tmp), JUPYTER_PATH=str(prefix / "share/jupyter"), JUPYTER_DATA_DIR=str(tmp / "data"),
               JUPYTER_CONFIG_DIR=str(tmp / "config"), JUPYTER_RUNTIME_DIR=str(tmp / "runtime"),
               SPARK_LAB_HOME=str(tmp / "lab-home"), SPARK_LAB_UI_PORT=str(lab.free_port()),
               SPARK_LAB_KAFKA_PORT=str(kafka_port), SPARK_LAB_VENV=str(Path(os.environ.get("SPARK_LAB_VENV", lab.LAB_VENV))),
               PATH=lab.path_without_jupyter())
    server = lab.Server(env, tmp / "server.log", "--notebook-dir", str(nbdir), "--lab-venv")
    broker = None
    sampler = None
    rows = []
    try:
        server.wait_ready()
        sampler = Sampler(server.proc.pid)
        sampler.start()
        time.sleep(2)
        print(f"kernel JVM sees {args.ram}, heap setting {' '.join(heap)}; idle Jupyter server "
              f"{rss_kb(server.proc.pid) // 1024} MB", flush=True)

        def run(name: str, sources: list[str]) -> None:
            session = server.call("POST", "/api/sessions", {"path": name, "type": "notebook", "name": name,
                                                            "kernel": {"name": "lab-measured"}})
            t0, problems = time.monotonic(), []
            try:
                for source in sources:
                    try:
                        reply, _ = asyncio.run(lab._execute(server, session["kernel"]["id"], source, args.cell_timeout))
                    except (TimeoutError, asyncio.TimeoutError, AssertionError) as e:
                        problems.append(f"{source[:40]!r}: {type(e).__name__}")
                        break
                    if reply.get("status") != "ok":
                        problems.append(f"{source[:40]!r}: {reply.get('ename')}")
            finally:
                server.call("DELETE", f"/api/sessions/{session['id']}")
            peak = sampler.take_window()
            rows.append((name, round(time.monotonic() - t0), peak, problems))
            print(f"{name}: {rows[-1][1]} s, peak MB {peak}, cell errors (some lessons show errors on purpose): "
                  f"{problems}", flush=True)

        for path in notebooks:
            nb = nbformat.read(path, as_version=4)
            run(str(path.relative_to(nbdir)), [c.source for c in nb.cells if c.cell_type == "code"])

        if args.kafka:
            data = tmp / "broker"
            data.mkdir()
            log = open(tmp / "broker.log", "wb")
            broker = subprocess.Popen(["java", "-Xmx128m", "-XX:+UseSerialGC", "-jar",
                                       str(ROOT / "broker/target/spark-streaming-lab-broker.jar"), "--data-dir", str(data),
                                       "--port", str(kafka_port), "--controller-port", str(lab.free_port())],
                                      stdout=log, stderr=subprocess.STDOUT)
            sampler.broker_pid = broker.pid
            deadline = time.monotonic() + 120
            while b"READY" not in (tmp / "broker.log").read_bytes():
                assert time.monotonic() < deadline and broker.poll() is None, "the broker did not start"
                time.sleep(1)
            bs = f"127.0.0.1:{kafka_port}"
            run("kafka-workload", [
                'spark.range(0, 300000).selectExpr("CAST(id % 1000 AS STRING) AS key", '
                '"concat(\'title-\', CAST(id % 97 AS STRING), \' \', repeat(\'x\', 120)) AS value")'
                f'.write().format("kafka").option("kafka.bootstrap.servers", "{bs}").option("topic", "people").save();',
                f'StreamingQuery q = spark.readStream().format("kafka").option("kafka.bootstrap.servers", "{bs}")'
                '.option("subscribe", "people").option("startingOffsets", "earliest").option("maxOffsetsPerTrigger", 100000)'
                '.load().selectExpr("CAST(value AS STRING) AS v").groupBy(expr("substring_index(v, \' \', 1)").as("title"))'
                '.count().writeStream().outputMode("complete").format("memory").queryName("titles").start();',
                "%stream wait titles --until-idle --timeout 300",
                'spark.sql("SELECT sum(count) FROM titles").first().getLong(0)',
                "%stream stop all",
            ])
    finally:
        if sampler:
            sampler.stopped.set()
        if broker is not None:
            broker.terminate()
            broker.wait(30)
        server.stop()
        shutil.rmtree(tmp, ignore_errors=True)
    if sampler:
        print("peak MB over the whole run:", {k: round(v / 1024) for k, v in sampler.peak.items()})
    return 0


if __name__ == "__main__":
    sys.exit(main())
