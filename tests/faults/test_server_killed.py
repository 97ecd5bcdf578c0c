"""Jupyter's server killed (SIGKILL: no shutdown of its kernels) under a lab that is busy: a streaming
query writing files with a checkpoint, the socket server, the embedded broker. Nothing may run on
without a notebook to show it: the kernel (and Spark in it: local mode runs inside the kernel's JVM) and
the broker exit within 10 s, every port they listened on is free, and no process is left that names the
kernel's connection file or the lab's home.

The server is the one install/start-lab.sh starts (as in tests/test_install.py), the kernel is started
through its REST API and the cells go over its websocket, as a browser's would.
"""

from __future__ import annotations

import asyncio
import os
import signal
import time

from faults.faultharness import (
    broker_pids, cmdline, find_free_port, find_free_port_pair, listeners_of, port_owners, wait_until,
)
from labharness import pid_alive, processes_with_arg
from test_install import CELL_TIMEOUT, KERNEL_NAME, Server, _execute, installed, lab_env  # noqa: F401 (fixtures)

EXIT_WITHIN = 10  # seconds, from the kill to the last of the lab's processes gone


def committed(checkpoint) -> int:
    commits = checkpoint / "commits"
    return len([p for p in commits.iterdir() if p.name.isdigit()]) if commits.is_dir() else 0


def test_the_server_killed_under_a_busy_lab_takes_the_kernel_and_the_broker_with_it(lab_env, installed, tmp_path,
                                                                                    record):
    home = tmp_path / "lab-home"
    env = dict(lab_env, SPARK_LAB_HOME=str(home), SPARK_LAB_KAFKA_PORT=str(find_free_port_pair(36092)))
    work = tmp_path / "notebooks"
    work.mkdir()
    server = Server(env, tmp_path / "jupyter-server.log", "--notebook-dir", str(work))
    kernel_pids: list[int] = []
    brokers: list[int] = []
    try:
        server.wait_ready()
        kernel_id = server.call("POST", "/api/kernels", {"name": KERNEL_NAME})["id"]

        def cell(code: str, timeout: float = CELL_TIMEOUT) -> str:
            reply, outputs = asyncio.run(_execute(server, kernel_id, code, timeout))
            errors = [o for o in outputs if o.output_type == "error"]
            assert reply["status"] == "ok" and not errors, f"{code!r} failed: {reply} {errors}"
            return "".join(o.get("text", "") + o.get("data", {}).get("text/plain", "") for o in outputs)

        kernel_pids = [pid for pid, _ in processes_with_arg(f"kernel-{kernel_id}.json")]
        assert len(kernel_pids) == 1, kernel_pids
        [jvm] = kernel_pids
        socket_port = find_free_port(45500)
        assert "listening on 127.0.0.1:" in cell(f"%socket start {socket_port}")
        assert "started at" in cell("%kafka start", 240)
        brokers = broker_pids(home)
        assert len(brokers) == 1, brokers
        checkpoint = tmp_path / "numbers-checkpoint"
        cell('var numbers = spark.readStream().format("rate").option("rowsPerSecond", 20).load()'
             '.writeStream().format("json").trigger(Trigger.ProcessingTime("1 second"))'
             f'.option("path", "{tmp_path / "numbers"}").option("checkpointLocation", "{checkpoint}")'
             '.queryName("numbers").start();')
        assert wait_until(lambda: committed(checkpoint) >= 2, 120), "the query did not get going"
        ports = {listener.port for pid in (jvm, *brokers) for listener in listeners_of(pid)}
        assert socket_port in ports and int(env["SPARK_LAB_KAFKA_PORT"]) in ports, ports

        # not reaped by this process until the end: the dead server stays a zombie, which still looks alive
        # to a watch of its pid (a shell would reap it at once); the kernel must notice all the same
        os.kill(server.proc.pid, signal.SIGKILL)
        killed_at = time.monotonic()
        record("fault", "Jupyter's server killed with SIGKILL under a kernel with a query, %socket and %kafka", 1,
               "kills")
        lab = [jvm, *brokers]
        all_gone = wait_until(lambda: not any(pid_alive(p) for p in lab), EXIT_WITHIN + 20, every=0.1)
        took = time.monotonic() - killed_at
        print(f"kernel and broker gone {took:.1f} s after the server was killed")
        record("recovery", "the kernel and the broker gone after their Jupyter server's SIGKILL", took, "s")
        left = [p for p in lab if pid_alive(p)]
        assert all_gone and took <= EXIT_WITHIN, \
            f"{took:.1f} s after the server's SIGKILL, still running: {left} (of kernel {jvm}, broker {brokers})"
        # free of this lab: another kernel on the machine may take a freed port (Spark's UI 4040) at once
        ours = (f"kernel-{kernel_id}.json", str(home))
        still_held = {port: [cmdline(pid)[:200] for pid in port_owners(port)] for port in ports}
        still_held = {port: owners for port, owners in still_held.items()
                      if any(mark in owner for owner in owners for mark in ours)}
        assert not still_held, f"ports still held by the lab's processes: {still_held}"
        leftovers = processes_with_arg(f"kernel-{kernel_id}.json") + processes_with_arg(str(home))
        assert not leftovers, f"processes left behind: {leftovers}"
        # the query's output is consistent: the kill ended it between or in batches, never half-recorded
        assert committed(checkpoint) >= 2
    finally:
        server.stop()
        for pid in kernel_pids + brokers:
            if pid_alive(pid):
                os.kill(pid, signal.SIGKILL)
