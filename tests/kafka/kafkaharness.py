"""Helpers of the Kafka tests: free ports, kernels with their own environment, broker
processes of a lab home, and the broker jar run directly (an "external" Kafka)."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import threading
import time
from pathlib import Path

from labharness import ROOT, LabKernel, pid_alive, processes_with_arg, wait_pid_gone

BROKER_JAR = ROOT / "broker" / "target" / "spark-streaming-lab-broker.jar"
BROKER_READY_TIMEOUT = float(os.environ.get("LAB_TEST_BROKER_TIMEOUT", "120"))


def java_command() -> str:
    java_home = os.environ.get("JAVA_HOME")
    if java_home and (Path(java_home) / "bin" / "java").exists():
        return str(Path(java_home) / "bin" / "java")
    return shutil.which("java") or "java"


def _free(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind(("127.0.0.1", port))
            return True
        except OSError:
            return False


def find_free_port_pair(start: int = 29092) -> int:
    """A port P such that P and P + 1 are free on 127.0.0.1 (the broker's and its controller's)."""
    port = start + (os.getpid() % 500) * 4
    for _ in range(500):
        if _free(port) and _free(port + 1):
            return port
        port += 2
    raise AssertionError("no two free neighbouring ports found")


def broker_pids(home: Path) -> list[int]:
    """Live broker JVMs whose data directory is under the given lab home."""
    found = []
    for pid, _ in processes_with_arg(str(home)):
        try:
            with open(f"/proc/{pid}/cmdline", "rb") as f:
                argv = f.read().decode(errors="replace").split("\0")
        except OSError:
            continue
        if any(a.endswith("spark-streaming-lab-broker.jar") for a in argv) and pid_alive(pid):
            found.append(pid)
    return found


def start_kernel_with_env(kernel_name: str, log_path: Path, env: dict[str, str | None]) -> LabKernel:
    """Start a kernel whose process sees this process's environment changed by env (None removes
    a variable). The environment goes with the launch arguments, so a restart keeps it."""
    launch_env = dict(os.environ)
    for k, v in env.items():
        if v is None:
            launch_env.pop(k, None)
        else:
            launch_env[k] = v
    kernel = LabKernel(kernel_name, log_path)
    launch = kernel.km.start_kernel
    kernel.km.start_kernel = lambda **kw: launch(env=launch_env, **kw)
    try:
        kernel.start()
    except BaseException:
        kernel.stop()
        raise
    return kernel


def stop_kernel_and_brokers(kernel: LabKernel, home: Path) -> None:
    """Stop the kernel; then no broker of its lab home may be left running (any found are ended)."""
    pid = kernel.pid
    kernel.stop()
    if pid is not None:
        wait_pid_gone(pid, 30)
    deadline = time.monotonic() + 30
    while broker_pids(home) and time.monotonic() < deadline:
        time.sleep(0.2)
    leftovers = broker_pids(home)
    for p in leftovers:
        try:
            os.kill(p, 9)
        except OSError:
            pass
    assert not leftovers, f"broker JVMs left running after their kernel stopped: {leftovers}"


class ExternalBroker:
    """The broker jar started by the test itself, as an operator would start a Kafka."""

    def __init__(self, jar: Path, data_dir: Path, port: int, log_path: Path):
        self.address = f"127.0.0.1:{port}"
        self.port = port
        self._log = open(log_path, "ab")
        self.proc = subprocess.Popen(
            [java_command(), "-Xmx128m", "-XX:+UseSerialGC", "-jar", str(jar),
             "--data-dir", str(data_dir), "--port", str(port)],
            stdout=subprocess.PIPE, stderr=self._log, stdin=subprocess.DEVNULL,
        )
        self.ready_line = ""
        self._ready = threading.Event()
        threading.Thread(target=self._read_stdout, daemon=True).start()

    def _read_stdout(self) -> None:
        for raw in self.proc.stdout:
            line = raw.decode(errors="replace")
            if not self._log.closed:
                self._log.write(raw)
            if line.startswith("READY"):
                self.ready_line = line.strip()
                self._ready.set()
        self._ready.set()

    def wait_ready(self, timeout: float) -> None:
        if not self._ready.wait(timeout) or not self.ready_line:
            self.stop()
            raise AssertionError(f"the broker jar did not print READY within {timeout:.0f}s (exit {self.proc.poll()})")

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()  # SIGTERM: Kafka's clean shutdown
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(10)
        if self.proc.stdout is not None:
            self.proc.stdout.close()
        self._log.close()


def spark_runs_a_cells_lambda(kernel: LabKernel, spark_timeout: float) -> None:
    """Spark starts and runs a job whose lambda calls a method defined in a cell (the executor finds the
    cell's classes): what every lesson needs, for kernels started in an unusual place."""
    assert kernel.value("spark.range(3).count()", spark_timeout) == "3", kernel.log_tail()
    kernel.ok("int twice(int x) { return 2 * x; }")
    doubled = kernel.value(
        "spark.range(5).map((MapFunction<Long, Integer>) x -> twice(x.intValue()), Encoders.INT())"
        ".collectAsList()")
    assert doubled == "[0, 2, 4, 6, 8]", doubled


def embedded_broker_round_trip(kernel: LabKernel, port: int, start_timeout: float = 180) -> None:
    """%kafka start on port, two records produced, Spark reads them back, %kafka stop: what a lesson needs of
    the embedded broker, for kernels started in an unusual place (another Java, a name that does not resolve)."""
    said = kernel.ok("%kafka start", timeout=start_timeout).plain
    assert f"started at 127.0.0.1:{port}" in said, said
    kernel.ok("%kafka create names")
    kernel.ok("%%kafka produce names\nada\ngrace")
    read = kernel.value(
        'spark.read().format("kafka").option("kafka.bootstrap.servers", kafkaBootstrapServers())'
        '.option("subscribe", "names").option("startingOffsets", "earliest").load()'
        '.selectExpr("CAST(value AS STRING)").as(Encoders.STRING()).collectAsList()')
    assert read == "[ada, grace]", read
    kernel.ok("%kafka stop", timeout=60)
