"""The kernel killed with SIGKILL in the middle of a stream (no shutdown hook runs): what it left is
cleaned up by the next kernel, and the query restarted on the same checkpoint continues where it
stopped, every value once. (The Kafka variants with exact counts are in tests/test_kafka_faults.py and
tests/test_exactly_once.py.)"""

from __future__ import annotations

import os
import signal
import time

from faults.faultharness import (
    broker_pids, find_free_port, find_free_port_pair, lock_holders, port_listening, start_lab_kernel,
    stop_kernel_and_brokers, wait_until,
)
from labharness import wait_pid_gone


def committed_batches(checkpoint) -> list[int]:
    commits = checkpoint / "commits"
    return sorted(int(p.name) for p in commits.iterdir() if p.name.isdigit()) if commits.is_dir() else []


def rate_to_files(out, checkpoint) -> str:
    """A rate source written to JSON files: exactly once, whatever happens to the kernel."""
    return (
        'var numbers = spark.readStream().format("rate").option("rowsPerSecond", 20).load()'
        '.select(col("value"))'
        '.writeStream().format("json").trigger(Trigger.ProcessingTime("1 second"))'
        f'.option("path", "{out}").option("checkpointLocation", "{checkpoint}").queryName("numbers").start();'
    )


def test_sigkill_mid_stream_next_kernel_cleans_up_and_the_query_continues(kernel_name, broker_jar, log_dir,
                                                                           tmp_path, record):
    home = tmp_path / "lab-home"
    out, checkpoint = tmp_path / "numbers", tmp_path / "numbers-checkpoint"
    socket_port = find_free_port(44000)
    kafka_port = find_free_port_pair(34092)
    lab = start_lab_kernel(kernel_name, log_dir / "sigkill-kernel.log", home, kafka_port)
    try:
        lab.ensure_spark()
        lab.ok(f"%socket start {socket_port}")
        assert "started at" in lab.ok("%kafka start", timeout=240).text
        lab.ok(rate_to_files(out, checkpoint))
        assert wait_until(lambda: len(committed_batches(checkpoint)) >= 3, 120), "the query did not get going"
        before_kill = committed_batches(checkpoint)

        jvm, brokers = lab.pid, broker_pids(home)
        assert len(brokers) == 1
        kafka_locks = list((home / "kafka").rglob(".lock"))
        assert kafka_locks and all(lock_holders(f) == {brokers[0]} for f in kafka_locks), kafka_locks

        os.kill(jvm, signal.SIGKILL)
        killed_at = time.monotonic()
        record("fault", "the kernel killed with SIGKILL mid-stream (query, %socket, %kafka running)", 1, "kills")
        assert wait_pid_gone(jvm, 10)
        t0 = time.monotonic()
        # the broker follows its kernel out by itself (its stdin, a pipe from the kernel, closes)
        broker_gone = wait_pid_gone(brokers[0], 60)
        print(f"broker JVM gone {time.monotonic() - t0:.1f} s after the kernel was killed")
        record("recovery", "the broker JVM gone after its kernel's SIGKILL", time.monotonic() - t0, "s")
        assert broker_gone, "the broker JVM outlived its killed kernel by a minute"
        # the killed kernel's servers are gone with it; its lock is free
        assert port_listening(socket_port) == [] and port_listening(kafka_port) == []
        # what stays on disk: the broker's pid file (a record, checked against the process table) and
        # Kafka's lock files (locks die with their process)
        assert (home / "kafka" / "broker.pid").exists()
        assert all(lock_holders(f) == set() for f in kafka_locks)
        # and Spark's scratch folder (spark.local.dir: block manager, temporary files), under the lab's home
        dead_scratch = home / "spark-scratch" / str(jvm)
        assert dead_scratch.is_dir(), sorted(p.name for p in (home / "spark-scratch").iterdir())

        # Jupyter restarts a kernel that died
        lab.km.restart_kernel(now=True)
        lab.kc.stop_channels()
        lab.kc = lab.km.client()
        lab.kc.start_channels()
        lab.kc.wait_for_ready(timeout=180)
        lab.spark_ready = False
        assert lab.pid != jvm
        lab.ensure_spark()
        # the new kernel removed the dead one's scratch folder and works in its own
        assert not dead_scratch.exists(), "the killed kernel's Spark scratch folder is still there"
        assert (home / "spark-scratch" / str(lab.pid)).is_dir()

        # it takes over the same ports and the lock, and starts a fresh broker on the same data
        assert "listening on 127.0.0.1:" in lab.ok(f"%socket start {socket_port}").text
        status = lab.ok("%kafka status").text
        assert "not running" in status, status
        started = lab.ok("%kafka start", timeout=240).text
        assert "started at" in started, started
        new_broker = broker_pids(home)
        assert len(new_broker) == 1 and new_broker[0] != brokers[0]
        assert f"pid={new_broker[0]}\n" in (home / "kafka" / "broker.pid").read_text()
        assert all(lock_holders(f) == {new_broker[0]} for f in kafka_locks)

        # the same query on the same checkpoint goes on from the last batch, every value exactly once
        lab.ok(rate_to_files(out, checkpoint))
        assert wait_until(lambda: len(committed_batches(checkpoint)) > len(before_kill), 120)
        record("recovery", "from the SIGKILL to the query committing again (Jupyter's restart included)",
               time.monotonic() - killed_at, "s")
        assert wait_until(lambda: len(committed_batches(checkpoint)) >= len(before_kill) + 3, 120)
        lab.ok("%stream stop numbers", timeout=60)
        after = committed_batches(checkpoint)
        assert after[:len(before_kill)] == before_kill and after[-1] > before_kill[-1]
        assert after == list(range(after[-1] + 1)), f"batch ids with a gap: {after}"
        res = lab.ok(
            f'var written = spark.read().json("{out}");\n'
            'var stats = written.agg(count("value"), countDistinct("value"), min("value"), max("value")).first();\n'
            "stats.mkString(\" \")"
        )
        rows, distinct, low, high = (int(x) for x in res.plain.strip('"').split())
        print(f"after the kill: {rows} values written, {low}..{high}, batches {after[0]}..{after[-1]}")
        record("measured", "values written across the SIGKILL", rows, "values")
        record("lost", "values missing after the SIGKILL", (high + 1) - distinct, "values")
        record("lost", "values written twice after the SIGKILL", rows - distinct, "values")
        assert rows == distinct, f"{rows - distinct} values written twice"
        assert low == 0 and high == rows - 1, f"values {low}..{high} but {rows} rows: some are missing"
    finally:
        stop_kernel_and_brokers(lab, home)
