"""Driving kernels (through jupyter_client, as a front end does) and the bare Java programs
for the bench, and reading process memory from /proc.

Timing rules used everywhere:
- kernel figures are taken on the client with time.perf_counter(), from the moment a request
  is sent (or the kernel process is spawned) to the moment the answering message is received;
- the bare programs print their own timestamps (System.currentTimeMillis) where the client
  cannot see the event (a foreachBatch call); those are compared with time.time() taken by the
  bench on the same machine.
"""

from __future__ import annotations

import os
import queue
import re
import subprocess
import threading
import time
from collections import defaultdict
from pathlib import Path
from typing import Callable

from jupyter_client import KernelManager

# --------------------------------------------------------------------------
# /proc
# --------------------------------------------------------------------------


def rss_mb(pid: int) -> float | None:
    """VmRSS of a process in MB (MiB), or None when it is gone."""
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024.0
    except (FileNotFoundError, ProcessLookupError, PermissionError):
        return None
    return None


def _ppid_map() -> dict[int, int]:
    parents = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                stat = f.read()
            # pid (comm) state ppid ...; comm may hold spaces and parentheses
            ppid = int(stat[stat.rindex(")") + 2:].split()[1])
            parents[int(entry)] = ppid
        except (FileNotFoundError, ProcessLookupError, ValueError, IndexError, PermissionError):
            continue
    return parents


def descendants(pid: int) -> list[int]:
    parents = _ppid_map()
    children = defaultdict(list)
    for child, parent in parents.items():
        children[parent].append(child)
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        for c in children.get(p, []):
            out.append(c)
            todo.append(c)
    return out


def cmdline(pid: int) -> str:
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as f:
            return f.read().replace(b"\0", b" ").decode(errors="replace").strip()
    except (FileNotFoundError, ProcessLookupError):
        return ""


def tree_rss_mb(pid: int) -> tuple[float, dict[int, float]]:
    """RSS of a process and all its descendants: (total MB, {pid: MB})."""
    parts = {}
    for p in [pid] + descendants(pid):
        r = rss_mb(p)
        if r is not None:
            parts[p] = r
    return sum(parts.values()), parts


def pid_alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as f:
            state = f.read().rsplit(")", 1)[1].split()[0]
        return state != "Z"
    except (FileNotFoundError, ProcessLookupError, IndexError):
        return False


def wait_pid_gone(pid: int, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not pid_alive(pid):
            return True
        time.sleep(0.1)
    return not pid_alive(pid)


# --------------------------------------------------------------------------
# A kernel driven by a real Jupyter client
# --------------------------------------------------------------------------

_TR_RE = re.compile(r"<tr>(.*?)</tr>", re.S)
_TD_RE = re.compile(r"<td[^>]*>(.*?)</td>", re.S)
_TAG_RE = re.compile(r"<[^>]+>")


def table_rows(html: str) -> list[list[str]]:
    """Body rows of the lab's HTML tables (cells as text; header rows have no <td>)."""
    import html as htmlmod

    rows = []
    for tr in _TR_RE.findall(html):
        cells = _TD_RE.findall(tr)
        if cells:
            rows.append([htmlmod.unescape(_TAG_RE.sub("", c)).strip() for c in cells])
    return rows


class KernelError(RuntimeError):
    pass


class Kernel:
    """One kernel process, its client channels and an IOPub reader thread.

    The shell socket is used from the calling thread only (zmq sockets are not thread safe);
    IOPub is read by a thread that timestamps every message on arrival and hands it to
    listeners.
    """

    def __init__(self, kernel_name: str, env: dict[str, str] | None = None, cwd: str | None = None,
                 keep_updates: bool = False, log_path: Path | None = None):
        self.kernel_name = kernel_name
        self.log_path = log_path
        self._log = None
        self.env = dict(os.environ, **(env or {}))
        self.cwd = cwd
        self.keep_updates = keep_updates
        self.km: KernelManager | None = None
        self.kc = None
        self.pid: int | None = None
        self.t_spawn: float | None = None
        self._replies: dict[str, tuple[float, dict]] = {}
        self._iopub: dict[str, list[tuple[float, dict]]] = defaultdict(list)
        self._idle: dict[str, float] = {}
        self._cond = threading.Condition()
        self._stop = threading.Event()
        self._reader: threading.Thread | None = None
        self.listeners: list[Callable[[float, dict], None]] = []
        self.iopub_count = 0

    # -- life cycle ------------------------------------------------------------------

    def start(self, timeout: float = 180.0) -> float:
        """Spawns the kernel and returns seconds from spawn to the kernel_info_reply."""
        self.km = KernelManager(kernel_name=self.kernel_name)
        self.km.shutdown_wait_time = 30.0
        self.t_spawn = time.perf_counter()
        extra = {}
        if self.log_path is not None:  # the kernel process's own stdout/stderr, not the bench's terminal
            self._log = open(self.log_path, "ab")
            extra = {"stdout": self._log, "stderr": self._log}
        self.km.start_kernel(env=self.env, cwd=self.cwd, **extra)
        self.pid = getattr(self.km.provisioner, "pid", None)
        self.kc = self.km.client()
        self.kc.start_channels(hb=False)
        self._reader = threading.Thread(target=self._read_iopub, name=f"iopub-{self.kernel_name}", daemon=True)
        self._reader.start()
        mid = self.kc.kernel_info()
        deadline = time.perf_counter() + timeout
        while True:
            left = deadline - time.perf_counter()
            if left <= 0:
                raise KernelError(f"{self.kernel_name}: no kernel_info_reply within {timeout:.0f} s")
            got = self._pump_shell(min(left, 1.0), want=mid)
            if got is not None:
                t, reply = got
                if reply["content"].get("status") != "ok":
                    raise KernelError(f"kernel_info_reply status {reply['content'].get('status')}")
                self.kernel_info = reply["content"]
                self._wait_iopub_subscribed(mid, deadline)
                return t - self.t_spawn
            if not self.km.is_alive():
                raise KernelError(f"{self.kernel_name}: the kernel process died while starting")

    def _wait_iopub_subscribed(self, mid: str, deadline: float) -> None:
        """A reply on shell does not mean IOPub is subscribed: messages published before the SUB socket's
        subscription reaches the kernel are dropped, so the first cells' results could be lost (a reference
        kernel that answers fast showed "1+1 gave None"). As jupyter_client's wait_for_ready does, ask
        kernel_info again until IOPub has carried a message of one of those requests."""
        asked = [mid]
        while True:
            with self._cond:
                if any(m in self._iopub for m in asked):
                    for m in asked:
                        self._iopub.pop(m, None)
                        self._idle.pop(m, None)
                    return
                self._cond.wait(0.5)
                if any(m in self._iopub for m in asked):
                    continue
            if time.perf_counter() > deadline:
                raise KernelError(f"{self.kernel_name}: IOPub carried nothing after kernel_info")
            asked.append(self.kc.kernel_info())
            self._pump_shell(0.5)

    def shutdown(self) -> None:
        pid = self.pid
        try:
            if self.km is not None and self.km.has_kernel:
                try:
                    self.km.shutdown_kernel(now=False)
                except Exception:
                    self.km.shutdown_kernel(now=True)
        finally:
            self._stop.set()
            if self._reader is not None:
                self._reader.join(timeout=5)
            if self.kc is not None:
                try:
                    self.kc.stop_channels()
                except Exception:
                    pass
            if pid is not None and not wait_pid_gone(pid, 30):
                try:
                    os.kill(pid, 9)
                except ProcessLookupError:
                    pass
                wait_pid_gone(pid, 10)
            if self._log is not None:
                self._log.close()
                self._log = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.shutdown()

    def rss_mb(self) -> float | None:
        return rss_mb(self.pid) if self.pid else None

    # -- messages --------------------------------------------------------------------

    def _read_iopub(self) -> None:
        while not self._stop.is_set():
            try:
                msg = self.kc.get_iopub_msg(timeout=0.1)
            except queue.Empty:
                continue
            except Exception:
                if self._stop.is_set():
                    break
                time.sleep(0.05)
                continue
            t = time.perf_counter()
            self.iopub_count += 1
            for listener in list(self.listeners):
                try:
                    listener(t, msg)
                except Exception as e:  # a listener bug must not stop the reader
                    print(f"[bench] iopub listener failed: {e!r}", flush=True)
            mtype = msg["header"]["msg_type"]
            parent = (msg.get("parent_header") or {}).get("msg_id")
            if mtype == "update_display_data" and not self.keep_updates:
                continue
            with self._cond:
                if parent:
                    self._iopub[parent].append((t, msg))
                    if mtype == "status" and msg["content"].get("execution_state") == "idle":
                        self._idle[parent] = t
                self._cond.notify_all()

    def _pump_shell(self, timeout: float, want: str | None = None):
        """Reads shell replies for up to timeout seconds; returns (t, reply) for want if it came."""
        if want is not None and want in self._replies:
            return self._replies.pop(want)
        deadline = time.perf_counter() + timeout
        while True:
            left = deadline - time.perf_counter()
            try:
                msg = self.kc.get_shell_msg(timeout=max(0.0, left))
            except queue.Empty:
                return None
            t = time.perf_counter()
            parent = (msg.get("parent_header") or {}).get("msg_id")
            if want is not None and parent == want:
                return t, msg
            self._replies[parent] = (t, msg)
            if left <= 0:
                return None

    def send_execute(self, code: str) -> tuple[str, float]:
        t = time.perf_counter()
        mid = self.kc.execute(code, store_history=True, allow_stdin=False)
        return mid, t

    def pump(self, timeout: float) -> None:
        """Reads whatever shell replies arrive within timeout (for fire-and-forget sends)."""
        self._pump_shell(timeout)

    def reply_of(self, mid: str) -> tuple[float, dict] | None:
        return self._replies.get(mid)

    def wait_reply(self, mid: str, timeout: float) -> tuple[float, dict]:
        deadline = time.perf_counter() + timeout
        while True:
            left = deadline - time.perf_counter()
            if left <= 0:
                raise KernelError(f"no execute_reply within {timeout:.0f} s")
            got = self._pump_shell(min(left, 1.0), want=mid)
            if got is not None:
                return got
            if self.km is not None and not self.km.is_alive():
                raise KernelError("the kernel died")

    def wait_idle(self, mid: str, timeout: float) -> float | None:
        deadline = time.perf_counter() + timeout
        with self._cond:
            while mid not in self._idle:
                left = deadline - time.perf_counter()
                if left <= 0:
                    return None
                self._cond.wait(left)
            return self._idle[mid]

    def messages(self, mid: str) -> list[tuple[float, dict]]:
        with self._cond:
            return list(self._iopub.get(mid, []))

    def forget(self, mid: str) -> None:
        with self._cond:
            self._iopub.pop(mid, None)
            self._idle.pop(mid, None)

    def execute(self, code: str, timeout: float = 300.0, check: bool = True) -> "Executed":
        mid, t0 = self.send_execute(code)
        t_reply, reply = self.wait_reply(mid, timeout)
        t_idle = self.wait_idle(mid, 10.0)
        ex = Executed(code, mid, t0, t_reply, t_idle, reply["content"], self.messages(mid))
        self.forget(mid)
        if check and ex.status != "ok":
            raise KernelError(f"cell failed: {code[:80]!r}\n{ex.error_text()}")
        return ex


class Executed:
    def __init__(self, code, mid, t_sent, t_reply, t_idle, reply, messages):
        self.code = code
        self.mid = mid
        self.t_sent = t_sent
        self.t_reply = t_reply
        self.t_idle = t_idle
        self.reply = reply
        self.messages = messages

    @property
    def status(self) -> str:
        return self.reply.get("status", "?")

    def of_type(self, mtype: str) -> list[tuple[float, dict]]:
        return [(t, m) for t, m in self.messages if m["header"]["msg_type"] == mtype]

    @property
    def stdout(self) -> str:
        return "".join(m["content"]["text"] for _, m in self.of_type("stream") if m["content"].get("name") == "stdout")

    @property
    def result_plain(self) -> str | None:
        results = self.of_type("execute_result")
        return results[0][1]["content"]["data"].get("text/plain") if results else None

    @property
    def t_result(self) -> float | None:
        results = self.of_type("execute_result")
        return results[0][0] if results else None

    def text(self) -> str:
        parts = [self.stdout]
        for mtype in ("execute_result", "display_data"):
            for _, m in self.of_type(mtype):
                parts.append(str(m["content"]["data"].get("text/plain", "")))
        return "\n".join(parts)

    def error_text(self) -> str:
        parts = [str(self.reply.get("ename", "")), str(self.reply.get("evalue", ""))]
        parts += [str(x) for x in self.reply.get("traceback", []) or []]
        for _, m in self.of_type("error"):
            parts += [m["content"].get("ename", ""), m["content"].get("evalue", "")]
        return re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", "\n".join(parts))[:3000]


# --------------------------------------------------------------------------
# A bare Java program, its stdout timestamped line by line
# --------------------------------------------------------------------------


class BareProcess:
    def __init__(self, argv: list[str], env: dict[str, str] | None = None, cwd: str | None = None,
                 stderr_path: Path | None = None):
        self.argv = argv
        self.lines: list[tuple[float, float, str]] = []  # (perf_counter, time.time, line)
        self.listeners: list[Callable[[float, float, str], None]] = []
        self._cond = threading.Condition()
        self._stderr = open(stderr_path, "w") if stderr_path else subprocess.DEVNULL
        self.t_spawn = time.perf_counter()
        self.proc = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=self._stderr,
                                     env=dict(os.environ, **(env or {})), cwd=cwd, text=True, bufsize=1)
        self.pid = self.proc.pid
        self._reader = threading.Thread(target=self._read, name="bare-stdout", daemon=True)
        self._reader.start()

    def _read(self) -> None:
        for line in self.proc.stdout:
            t, wall = time.perf_counter(), time.time()
            line = line.rstrip("\n")
            for listener in list(self.listeners):
                try:
                    listener(t, wall, line)
                except Exception as e:
                    print(f"[bench] bare listener failed: {e!r}", flush=True)
            with self._cond:
                if not line.startswith("BATCH "):  # batch lines go to listeners only
                    self.lines.append((t, wall, line))
                self._cond.notify_all()
        with self._cond:
            self._cond.notify_all()

    def send(self, line: str) -> None:
        self.proc.stdin.write(line + "\n")
        self.proc.stdin.flush()

    def wait_line(self, prefix: str, timeout: float, after: int = 0) -> tuple[float, float, str]:
        """The first stdout line from index `after` on that starts with prefix."""
        deadline = time.perf_counter() + timeout
        with self._cond:
            while True:
                for entry in self.lines[after:]:
                    if entry[2].startswith(prefix):
                        return entry
                if self.proc.poll() is not None:
                    raise KernelError(f"{self.argv[-1] if self.argv else 'bare program'} exited "
                                      f"with {self.proc.returncode} before printing {prefix!r}")
                left = deadline - time.perf_counter()
                if left <= 0:
                    raise KernelError(f"no {prefix!r} line within {timeout:.0f} s")
                self._cond.wait(min(left, 0.5))

    def stop(self, timeout: float = 60.0) -> None:
        try:
            if self.proc.poll() is None:
                try:
                    self.proc.stdin.write("stop\n")
                    self.proc.stdin.flush()
                    self.proc.stdin.close()
                except (BrokenPipeError, ValueError, OSError):
                    pass
                try:
                    self.proc.wait(timeout)
                except subprocess.TimeoutExpired:
                    self.proc.kill()
                    self.proc.wait(10)
        finally:
            self._reader.join(timeout=5)
            if self._stderr is not subprocess.DEVNULL:
                self._stderr.close()

    def rss_mb(self) -> float | None:
        return rss_mb(self.pid)
