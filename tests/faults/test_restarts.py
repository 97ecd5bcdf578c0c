"""Kernel restarts in a row, each with a streaming query, the socket server and the embedded broker
running: after every restart nothing of the old kernel is left (process, listening port, lock), and
the new kernel gets the same ports and works.

CI runs LAB_FAULT_RESTARTS restarts (default 2: each costs a kernel, Spark and a broker start); LAB_FAULT_RESTARTS=20 runs
the full count. The times are recorded for docs/reliability.md.

Speed, with bounds that a slow stop or a leak breaks even with CI's 2 restarts: every old kernel is gone
within OLD_KERNEL_STOP_SECONDS of the shutdown request (before Jupyter's SIGKILL at 5 s), the lab's footprint
is the same after every restart, and the last restart answers kernel_info at most RESTART_GROWTH_SECONDS
later than the first."""

from __future__ import annotations

import json
import os
import threading
import time

import pytest

from faults.faultharness import (
    broker_pids, cmdline, descendants, find_free_port, find_free_port_pair, listeners_of, lock_holders,
    port_listening, port_owners, start_lab_kernel, stop_kernel_and_brokers, wait_until,
)
from labharness import SPARK_READY_TIMEOUT, pid_alive, processes_with_arg, wait_pid_gone

RESTARTS = int(os.environ.get("LAB_FAULT_RESTARTS", "2"))
# Jupyter's KernelManager waits shutdown_wait_time (5 s) for a kernel to exit: SIGTERM at half of it (the
# kernel's shutdown hook stops everything too), then SIGKILL. The kernel stops its queries, Spark, the socket
# server and the broker on the shutdown request; a restart with the broker running took 1.7 s in all at load
# average 8. A kernel still there for Jupyter's SIGKILL is a slow stop (as when the broker wrote its class
# archive at exit, 8 s).
OLD_KERNEL_STOP_SECONDS = 4.8
# kernel_info after a restart = the old kernel's stop + a new JVM's start (1-4 s measured); the last restart
# may not be slower than the first by more than this (a leak that grows with restarts: files a start reads,
# processes or ports left, a growing lab home)
RESTART_GROWTH_SECONDS = 5.0


class StopWatch:
    """Times how long a process lives from now, polling /proc every 20 ms in a thread of its own."""

    def __init__(self, pid: int):
        self.pid = pid
        self.t0 = time.monotonic()
        self.seconds: float | None = None
        self._thread = threading.Thread(target=self._watch, daemon=True)
        self._thread.start()

    def _watch(self) -> None:
        while pid_alive(self.pid) and time.monotonic() - self.t0 < 60:
            time.sleep(0.02)
        if not pid_alive(self.pid):
            self.seconds = time.monotonic() - self.t0

    def result(self) -> float | None:
        self._thread.join(65)
        return self.seconds


def lab_footprint(home, pid: int) -> dict[str, int]:
    """What of the lab is there while the kernel works: processes below the kernel, the Spark scratch folders,
    processes naming the lab home. The same after every restart, or something leaks."""
    scratch = home / "spark-scratch"
    return {
        # (not the short-lived jcmd that writes the broker's class archive once it is ready)
        "processes below the kernel": len([p for p in descendants(pid) if "jcmd" not in cmdline(p)]),
        "spark scratch folders": len(list(scratch.iterdir())) if scratch.is_dir() else 0,
        "processes naming the lab home": len([p for p, argv in processes_with_arg(str(home)) if "jcmd" not in argv]),
    }


def bring_up(lab, socket_port: int) -> dict[str, float]:
    """What a lesson has running: Spark, the socket server, the broker, a query reading the socket with a
    line counted. Returns seconds to the first Spark result and to the counted line."""
    t0 = time.monotonic()
    lab.ensure_spark(SPARK_READY_TIMEOUT)
    spark = time.monotonic() - t0
    lab.ok(f"%socket start {socket_port}")
    started = lab.ok("%kafka start", timeout=240)
    assert "started at" in started.text, started.describe()
    lab.ok(
        'var restartQuery = spark.readStream().format("socket").option("host", "127.0.0.1")'
        f'.option("port", {socket_port}).load().groupBy().count()'
        '.writeStream().outputMode("complete").format("memory").queryName("restart_lines").start();'
    )
    lab.ok(f"%%socket send {socket_port}\none line")
    counted = lab.ok(
        "long countDeadline = System.currentTimeMillis() + 90_000; long countSeen = 0;\n"
        "while (countSeen < 1 && System.currentTimeMillis() < countDeadline) {\n"
        '  var countRows = spark.sql("SELECT * FROM restart_lines").collectAsList();\n'
        "  countSeen = countRows.isEmpty() ? 0 : countRows.get(0).getLong(0);\n"
        "  Thread.sleep(100);\n"
        "}\ncountSeen",
        timeout=150,
    )
    assert counted.plain.strip() == "1", counted.describe()
    return {"spark": spark, "working": time.monotonic() - t0}


def old_kernel_is_gone(home, old: dict, new_pid: int) -> list[str]:
    """Everything of the old kernel still there; empty when it left nothing."""
    problems = []
    for pid in [old["jvm"], *old["children"]]:
        if not wait_pid_gone(pid, 30):
            problems.append(f"process {pid} of the old kernel still runs")
    # A port of the old kernel may listen again: the new kernel takes the same Jupyter ports (a restart
    # keeps the connection file), and other programs on this machine may take a freed one (Spark UI 404x).
    # None may be held by a process of this lab other than the new kernel and its children.
    new_family = {new_pid, *descendants(new_pid)}
    for port in old["ports"]:
        for owner in port_owners(port) - new_family:
            if owner in old["all"] or str(home) in cmdline(owner) or old["connection"] in cmdline(owner):
                problems.append(f"port {port} of the old kernel still held by {owner}: {cmdline(owner)[:200]}")
    # broker.pid is a record the next kernel checks against the process table: it may outlive a kernel
    # that Jupyter killed, but must never name a live process
    pid_file = home / "kafka" / "broker.pid"
    if pid_file.exists():
        named = int(pid_file.read_text().split("pid=", 1)[1].split()[0])
        if pid_alive(named):
            problems.append(f"{pid_file} names a live process {named}")
    for lock in (home / "logs" / "protocol.log.lck", *(home / "kafka").rglob(".lock")):
        stale = {p for p in lock_holders(lock) if p in old["all"]}
        if stale:
            problems.append(f"{lock} still held by the old kernel's processes {stale}")
    return problems


def clean_stops(home) -> int:
    """How many kernels of this lab home stopped by themselves (the rest were killed by Jupyter)."""
    log = home / "logs" / "kernel.log"
    return log.read_text(errors="replace").count("kernel stopped") if log.exists() else 0


# pytest.ini gives a test 10 minutes; a restart with Spark and a broker takes up to a minute on a busy machine
@pytest.mark.timeout(300 + 90 * RESTARTS)
def test_restarts_in_a_row_leave_nothing_behind_and_stay_fast(kernel_name, broker_jar, log_dir, tmp_path, record):
    home = tmp_path / "lab-home"
    socket_port = find_free_port(43000)
    kafka_port = find_free_port_pair(33092)
    lab = start_lab_kernel(kernel_name, log_dir / "restarts-kernel.log", home, kafka_port)
    try:
        with open(lab.connection_file) as f:
            info = json.load(f)
        zmq_ports = {info[k] for k in ("shell_port", "iopub_port", "stdin_port", "control_port", "hb_port")}
        times = [{"ready": lab.ready_seconds, **bring_up(lab, socket_port)}]
        footprints = [lab_footprint(home, lab.pid)]
        for n in range(1, RESTARTS + 1):
            old = {"jvm": lab.pid, "children": descendants(lab.pid)}
            old["all"] = {old["jvm"], *old["children"]}
            old["connection"] = lab.connection_file
            brokers = broker_pids(home)
            assert len(brokers) == 1 and brokers[0] in old["children"], (brokers, old)
            old["ports"] = sorted({l.port for l in listeners_of(lab.pid)})

            stops_before = clean_stops(home)
            t0 = time.monotonic()
            old_stop = StopWatch(old["jvm"])
            lab.restart()
            ready = time.monotonic() - t0
            stop_seconds = old_stop.result()
            record("fault", "kernel restarts with a query, %socket and %kafka running", 1, "restarts")

            problems = old_kernel_is_gone(home, old, lab.pid)
            times[-1]["stopped cleanly"] = clean_stops(home) > stops_before
            assert not problems, f"restart {n}:\n" + "\n".join(problems)
            assert broker_pids(home) == [], f"restart {n}: a broker runs before %kafka start"
            assert port_listening(socket_port) == [] and port_listening(kafka_port) == [], f"restart {n}"
            assert [p for p, _ in processes_with_arg(lab.connection_file)] == [lab.pid]
            assert {l.port for l in listeners_of(lab.pid)} >= zmq_ports

            times.append({"ready": ready, "stop": stop_seconds, **bring_up(lab, socket_port)})
            footprints.append(lab_footprint(home, lab.pid))
            print(f"restart {n}: old kernel gone {stop_seconds or 60:.1f} s after the request; kernel_info {ready:.1f} s, "
                  f"first Spark result {times[-1]['spark']:.1f} s, query counting {times[-1]['working']:.1f} s; "
                  + ("it stopped by itself" if times[-2]["stopped cleanly"] else "it was stopped by Jupyter's signals"))
    finally:
        stop_kernel_and_brokers(lab, home)
    assert wait_until(lambda: not port_listening(socket_port) and not port_listening(kafka_port), 30)
    assert not processes_with_arg(str(home)), processes_with_arg(str(home))

    for n, t in enumerate(times):
        if n:
            record("restart", "old kernel gone", t["stop"] if t["stop"] is not None else 60, "s", step=n)
        record("restart", "kernel_info", t["ready"], "s", step=n)
        record("restart", "first Spark result", t["spark"], "s", step=n)
        record("restart", "working again", t["working"], "s", step=n)
        if n:
            record("recovery", "a restart: from the request to a query counting again", t["ready"] + t["working"], "s")
            record("recovery", "a restart: the old kernel gone", t["stop"] if t["stop"] is not None else 60, "s")
    summary = {key: [round(t[key], 1) if t.get(key) is not None else None for t in times]
               for key in ("stop", "ready", "spark", "working")}
    killed = sum(1 for t in times[:-1] if not t.get("stopped cleanly"))
    print(f"{RESTARTS} restarts: " + json.dumps(summary) + f"; old kernels that did not stop by themselves: {killed}")
    # a slow stop: an old kernel that Jupyter had to signal
    slow = [n for n, t in enumerate(times[1:], 1) if t["stop"] is None or t["stop"] > OLD_KERNEL_STOP_SECONDS]
    assert not slow, (f"restarts {slow}: the old kernel was not gone within {OLD_KERNEL_STOP_SECONDS} s of the "
                      f"shutdown request, Jupyter killed it (gone after {summary['stop']} s)")
    # a leak: the last restart slower than the first, or the lab's footprint growing
    assert times[-1]["ready"] <= times[1]["ready"] + RESTART_GROWTH_SECONDS, \
        f"kernel_info after the last restart {RESTART_GROWTH_SECONDS} s slower than after the first: {summary['ready']}"
    assert all(f == footprints[0] for f in footprints), f"the lab's footprint changed across restarts: {footprints}"
