"""Helpers of the fault suite: what listens where, which processes descend from a kernel, who holds a
file lock, and a kernel with its own lab home (logs, broker data, cell output) on fixed ports."""

from __future__ import annotations

import os
import socket
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from labharness import LabKernel, pid_alive

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "kafka"))
from kafkaharness import (  # noqa: E402  (tests/kafka is not a package)
    BROKER_JAR, broker_pids, find_free_port_pair, start_kernel_with_env, stop_kernel_and_brokers,
)

__all__ = [
    "BROKER_JAR", "Listener", "broker_pids", "descendants", "find_free_port", "find_free_port_pair",
    "cmdline", "listeners_of", "lock_holders", "port_listening", "port_owners", "rss_mb", "start_lab_kernel", "stop_kernel_and_brokers",
    "wait_until",
]

_LISTEN = "0A"  # TCP state LISTEN in /proc/net/tcp


@dataclass(frozen=True)
class Listener:
    pid: int
    host: str
    port: int

    @property
    def loopback(self) -> bool:
        return self.host.startswith("127.") or self.host in ("::1", "::ffff:127.0.0.1") or \
            self.host.startswith("::ffff:127.")


def _hex_address(text: str) -> tuple[str, int]:
    """An address of /proc/net/tcp or tcp6 (little-endian words of hex) as (host, port)."""
    host_hex, port_hex = text.split(":")
    raw = bytes.fromhex(host_hex)
    if len(raw) == 4:
        host = socket.inet_ntop(socket.AF_INET, raw[::-1])
    else:
        words = b"".join(raw[i:i + 4][::-1] for i in range(0, 16, 4))
        host = socket.inet_ntop(socket.AF_INET6, words)
    return host, int(port_hex, 16)


def _listening_table(pid: int | str = "self") -> dict[int, tuple[str, int]]:
    """socket inode -> (host, port) of every listening TCP socket in the process's network namespace."""
    table = {}
    for name in ("tcp", "tcp6"):
        try:
            with open(f"/proc/{pid}/net/{name}") as f:
                next(f)
                for line in f:
                    fields = line.split()
                    if fields[3] == _LISTEN:
                        table[int(fields[9])] = _hex_address(fields[1])
        except OSError:
            continue
    return table


def _socket_inodes(pid: int) -> set[int]:
    inodes = set()
    try:
        fds = os.listdir(f"/proc/{pid}/fd")
    except OSError:
        return inodes
    for fd in fds:
        try:
            target = os.readlink(f"/proc/{pid}/fd/{fd}")
        except OSError:
            continue
        if target.startswith("socket:["):
            inodes.add(int(target[8:-1]))
    return inodes


def descendants(pid: int) -> list[int]:
    """Live processes below pid (children, their children...)."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                stat = f.read()
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[-1].split()[1])
        children.setdefault(ppid, []).append(int(entry))
    found, todo = [], [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            if pid_alive(child):
                found.append(child)
                todo.append(child)
    return found


def listeners_of(pid: int) -> list[Listener]:
    """Every TCP port that pid or a process below it listens on, with the address it is bound to."""
    out = []
    for p in [pid, *descendants(pid)]:
        table = _listening_table(p)
        for inode in _socket_inodes(p):
            if inode in table:
                host, port = table[inode]
                out.append(Listener(p, host, port))
    return sorted(set(out), key=lambda l: (l.port, l.pid))


def port_listening(port: int) -> list[tuple[str, int]]:
    """Anything on this machine listening on port (any address), from /proc/net/tcp and tcp6."""
    return [(h, p) for h, p in _listening_table().values() if p == port]


def port_owners(port: int) -> set[int]:
    """Processes holding a socket that listens on port (any address)."""
    inodes = {inode for inode, (_, p) in _listening_table().items() if p == port}
    owners = set()
    if not inodes:
        return owners
    for entry in os.listdir("/proc"):
        if entry.isdigit() and _socket_inodes(int(entry)) & inodes:
            owners.add(int(entry))
    return owners


def cmdline(pid: int) -> str:
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as f:
            return f.read().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return ""


def lock_holders(path: Path) -> set[int]:
    """Processes holding a lock (fcntl or flock) on the file, from /proc/locks."""
    try:
        inode = os.stat(path).st_ino
    except OSError:
        return set()
    holders = set()
    with open("/proc/locks") as f:
        for line in f:
            fields = line.split()
            if fields[1] == "->":  # a waiter, not a holder
                continue
            try:
                pid, dev_inode = int(fields[4]), fields[5]
            except (IndexError, ValueError):
                continue
            if int(dev_inode.rsplit(":", 1)[1]) == inode:
                holders.add(pid)
    return holders


def find_free_port(start: int) -> int:
    """A port free on 127.0.0.1, near start (spread by pid, so parallel runs differ)."""
    port = start + (os.getpid() % 400) * 3
    for _ in range(1000):
        with socket.socket() as s:
            s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                s.bind(("127.0.0.1", port))
                return port
            except OSError:
                port += 1
    raise AssertionError("no free port found")


def rss_mb(pid: int) -> float:
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def wait_until(check, timeout: float, every: float = 0.2):
    """check() until it returns something true, or timeout; returns the last result."""
    deadline = time.monotonic() + timeout
    result = check()
    while not result and time.monotonic() < deadline:
        time.sleep(every)
        result = check()
    return result


def start_lab_kernel(kernel_name: str, log_path: Path, home: Path, kafka_port: int,
                     extra: dict[str, str | None] | None = None) -> LabKernel:
    """A kernel with its own lab home (so its logs, broker data and cell output are the test's) and the
    embedded broker on kafka_port. A restart keeps the environment."""
    env: dict[str, str | None] = {
        "SPARK_LAB_HOME": str(home),
        "SPARK_LAB_KAFKA_PORT": str(kafka_port),
        "KAFKA_BOOTSTRAP_SERVERS": None,
    }
    env.update(extra or {})
    kernel = start_kernel_with_env(kernel_name, log_path, env)
    kernel.lab_home = home
    kernel.kafka_port = kafka_port
    return kernel
