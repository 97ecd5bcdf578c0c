"""Interrupt, shutdown and restart, each on kernels of their own."""

from __future__ import annotations

import time

import pytest

from labharness import LabKernel, pid_alive, processes_with_arg, wait_pid_gone

# kernel.json says interrupt_mode "message": KernelManager.interrupt_kernel()
# sends interrupt_request on the control channel.
# The README promises an interrupt "within about a second". A cell that sleeps or waits (Thread.sleep, a
# Spark job, awaitTermination) is interrupted at once (measured 0.02-0.2 s on a loaded 2-core machine);
# a loop that never waits gets CellThread's 1 s grace and is then stopped (measured 1.05 s).
INTERRUPT_LIMIT = 1.0
BUSY_LOOP_INTERRUPT_LIMIT = 1.5


@pytest.fixture(scope="module")
def ikernel(kernel_name, log_dir):
    """One fresh kernel for the interrupt tests, with Spark warmed up."""
    k = LabKernel(kernel_name, log_dir / "interrupt-kernel.log")
    try:
        k.start()
        k.ensure_spark()
        yield k
    finally:
        pid = k.pid
        k.stop()
        assert pid is None or not pid_alive(pid)


@pytest.fixture
def ik(ikernel):
    """The interrupt kernel, made usable again if an earlier test left it stuck."""
    try:
        ikernel.submit("1 + 1").finish(20, recover=False)
    except AssertionError:
        ikernel.restart()
        ikernel.ensure_spark()
    return ikernel


def is_idle(msg: dict) -> bool:
    return msg["header"]["msg_type"] == "status" and msg["content"].get("execution_state") == "idle"


def interrupt_running(kernel: LabKernel, code: str, settle: float, limit: float):
    """Start code, let it run `settle` seconds, interrupt it; return (result, seconds to reply)."""
    pending = kernel.submit(code)
    assert pending.wait_busy(30), "kernel never went busy"
    ended = pending.pump(is_idle, settle)
    assert not ended, f"cell ended before the interrupt:\n{pending.result().describe()}"
    t0 = time.monotonic()
    kernel.km.interrupt_kernel()
    got_reply = pending.get_reply(limit + 30)
    elapsed = time.monotonic() - t0
    assert got_reply, f"no execute_reply within {limit + 30:.0f}s of the interrupt"
    res = pending.finish(30)
    print(f"interrupt of {code[:40]!r}: error reply {elapsed:.2f}s after interrupt_request")
    return res, elapsed


def test_kernel_info_answered_before_spark_is_ready(ikernel):
    # wait_for_ready (kernel_info round trip) must not wait for the SparkSession
    assert ikernel.ready_seconds is not None
    assert ikernel.ready_seconds < 20, f"kernel_info took {ikernel.ready_seconds:.1f}s after launch"


def test_interrupt_sleep(ik):
    res, elapsed = interrupt_running(ik, 'System.out.println("sleeping");\nThread.sleep(60000);', 1.5,
                                     INTERRUPT_LIMIT)
    assert res.status == "error", res.describe()
    assert elapsed < INTERRUPT_LIMIT, f"reply {elapsed:.1f}s after interrupt"
    assert res.stdout == "sleeping\n", "output printed before the interrupt was lost"
    assert res.problems == [], res.problems
    assert ik.value("1 + 1") == "2"


def test_interrupt_loop_with_sleep(ik):
    res, elapsed = interrupt_running(ik, "while (true) { Thread.sleep(100); }", 1.5, INTERRUPT_LIMIT)
    assert res.status == "error", res.describe()
    assert elapsed < INTERRUPT_LIMIT, f"reply {elapsed:.1f}s after interrupt"
    assert ik.value("1 + 1") == "2"


def test_interrupt_busy_cpu_loop(ik):
    """A loop that never sleeps or blocks (a typical beginner's mistake)."""
    res, elapsed = interrupt_running(ik, "long spin = 0; while (true) { spin++; }", 1.5, BUSY_LOOP_INTERRUPT_LIMIT)
    assert res.status == "error", res.describe()
    assert elapsed < BUSY_LOOP_INTERRUPT_LIMIT, f"reply {elapsed:.1f}s after interrupt"
    assert ik.value("1 + 1") == "2"


def test_interrupt_long_spark_job_cancels_it(ik):
    code = (
        "spark.range(0, 1000000000L, 1, 2)"
        ".map((MapFunction<Long, Long>) v -> { Thread.sleep(1); return v; }, Encoders.LONG()).count()"
    )
    res, elapsed = interrupt_running(ik, code, 4, INTERRUPT_LIMIT)
    assert res.status == "error", res.describe()
    assert elapsed < INTERRUPT_LIMIT, f"reply {elapsed:.1f}s after interrupt"
    # the job itself was cancelled, not just abandoned
    res = ik.ok(
        "long jobsDeadline = System.currentTimeMillis() + 15000;\n"
        "while (spark.sparkContext().statusTracker().getActiveJobIds().length > 0 "
        "&& System.currentTimeMillis() < jobsDeadline) { Thread.sleep(200); }\n"
        "System.out.println(spark.sparkContext().statusTracker().getActiveJobIds().length);",
        timeout=60,
    )
    assert res.stdout == "0\n", "Spark job still running after interrupt"
    # and Spark still runs new jobs
    assert ik.value("spark.range(7).count()", timeout=60) == "7"


def test_interrupt_streaming_await_termination(ik):
    ik.ok(
        'var awaitQuery = spark.readStream().format("rate").load()'
        '.writeStream().format("memory").queryName("r").start();'
    )
    try:
        res, elapsed = interrupt_running(ik, "awaitQuery.awaitTermination();", 2, INTERRUPT_LIMIT)
        assert res.status == "error", res.describe()
        assert elapsed < INTERRUPT_LIMIT, f"reply {elapsed:.1f}s after interrupt"
        assert ik.value("1 + 1") == "2"
    finally:
        ik.run("for (var q : spark.streams().active()) { q.stop(); }", timeout=60)
    assert ik.value("spark.streams().active().length") == "0"


def test_interrupt_when_idle_does_not_hit_next_cell(ik):
    ik.km.interrupt_kernel()
    time.sleep(1)
    res = ik.run("Thread.sleep(1500);\n7", timeout=60)
    assert res.status == "ok", "an interrupt sent while idle aborted the next cell:\n" + res.describe()
    assert res.plain.strip() == "7"


def test_state_survives_interrupt(ik):
    ik.ok("int keptAcrossInterrupt = 99;")
    res, _ = interrupt_running(ik, "Thread.sleep(60000);", 1, INTERRUPT_LIMIT)
    assert res.status == "error"
    assert ik.value("keptAcrossInterrupt") == "99"


# --------------------------------------------------------------------------
# restart / shutdown
# --------------------------------------------------------------------------


def _jvm_pid(kernel: LabKernel) -> int:
    return int(kernel.value("ProcessHandle.current().pid()"))


def test_restart_gives_a_fresh_working_kernel(kernel_factory):
    k = kernel_factory("restart")
    k.ensure_spark()
    k.ok("int beforeRestart = 5;")
    old_pid, old_jvm = k.pid, _jvm_pid(k)
    conn = k.connection_file

    k.restart()

    assert wait_pid_gone(old_pid, 10), f"old kernel process {old_pid} still alive after restart"
    assert wait_pid_gone(old_jvm, 10), f"old JVM {old_jvm} still alive after restart"
    assert k.pid != old_pid
    assert k.value("1 + 1") == "2"
    res = k.run("beforeRestart")
    assert res.status == "error", "state survived the restart:\n" + res.describe()
    assert k.value("spark.range(4).count()", timeout=240) == "4"
    new_jvm = _jvm_pid(k)
    assert [p for p, _ in processes_with_arg(conn)] == [k.pid], processes_with_arg(conn)

    # and km.shutdown_kernel() leaves nothing behind
    new_pid = k.pid
    k.kc.stop_channels()
    k.km.shutdown_kernel()
    assert wait_pid_gone(new_pid, 5) and wait_pid_gone(new_jvm, 5)
    assert processes_with_arg(conn) == [], processes_with_arg(conn)


def test_shutdown_request_stops_process_with_running_stream(kernel_factory):
    """The kernel exits by itself on shutdown_request, even with Spark and a streaming query running."""
    k = kernel_factory("shutdown")
    k.ensure_spark()
    k.ok(
        'var liveQuery = spark.readStream().format("rate").load()'
        '.writeStream().format("memory").queryName("live").start();'
    )
    pid, jvm, conn = k.pid, _jvm_pid(k), k.connection_file
    process = k.km.provisioner.process

    msg_id = k.kc.shutdown(restart=False)
    reply = None
    deadline = time.monotonic() + 20
    while reply is None and time.monotonic() < deadline:
        try:
            msg = k.kc.get_control_msg(timeout=1)
        except Exception:
            continue
        if msg["parent_header"].get("msg_id") == msg_id:
            reply = msg
    assert reply is not None, "no shutdown_reply on the control channel"
    assert reply["header"]["msg_type"] == "shutdown_reply"
    assert reply["content"]["status"] == "ok"
    assert reply["content"]["restart"] is False

    # nothing kills it here: it has to exit on its own
    exited = False
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            exited = True
            break
        time.sleep(0.2)
    assert exited, f"kernel process {pid} still running 30s after shutdown_reply"
    assert wait_pid_gone(jvm, 5)
    assert processes_with_arg(conn) == [], processes_with_arg(conn)
