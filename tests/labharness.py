"""Helpers shared by the test suite: driving a kernel, checking messages
against the Jupyter messaging protocol 5.3, reading rendered HTML tables and
looking for left-over processes.

Imported by conftest.py and the test modules (pytest puts tests/ on sys.path).
"""

from __future__ import annotations

import html
import os
import queue
import re
import shutil
import signal
import subprocess
import time
import uuid
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import Any, Callable

import pytest
from jupyter_client import KernelManager
from jupyter_core.paths import jupyter_runtime_dir

ROOT = Path(__file__).resolve().parent.parent
# LAB_KERNEL_JAR: test another build of the kernel (e.g. a copy that a rebuild won't overwrite)
JAR = Path(os.environ.get("LAB_KERNEL_JAR") or ROOT / "kernel" / "target" / "spark-streaming-lab-kernel.jar").resolve()
DEFAULT_KERNEL_NAME = "spark-streaming-java"
DEFAULT_DISPLAY_NAME = "Spark Streaming (Java)"
PROTOCOL_VERSION = "5.3"

# Generous limits: this runs on 2 cores, and the first Spark job of a kernel
# has to wait for the SparkSession that starts in the background.
STARTUP_TIMEOUT = float(os.environ.get("LAB_TEST_STARTUP_TIMEOUT", "180"))
SPARK_READY_TIMEOUT = float(os.environ.get("LAB_TEST_SPARK_TIMEOUT", "240"))
CELL_TIMEOUT = float(os.environ.get("LAB_TEST_CELL_TIMEOUT", "120"))

ANSI_RE = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")


def strip_ansi(text: str) -> str:
    return ANSI_RE.sub("", text)


# --------------------------------------------------------------------------
# Protocol 5.3 message shape
# --------------------------------------------------------------------------

_HEADER_KEYS = ("msg_id", "msg_type", "session", "username", "date", "version")


def _mime_bundle_problems(where: str, data: Any) -> list[str]:
    problems = []
    if not isinstance(data, dict):
        return [f"{where}: data is {type(data).__name__}, expected a dict (mime bundle)"]
    for mime, value in data.items():
        if "/" not in mime:
            problems.append(f"{where}: key {mime!r} is not a mime type")
        if mime.startswith("text/") and not isinstance(value, str):
            problems.append(f"{where}: {mime} value is {type(value).__name__}, expected str")
    return problems


def message_problems(msg: dict, parent_msg_id: str | None, expected_type: str | None = None) -> list[str]:
    """Everything about one received message that breaks protocol 5.3."""
    problems: list[str] = []
    header = msg.get("header") or {}
    mtype = header.get("msg_type", "?")
    where = f"{mtype} message"
    for key in _HEADER_KEYS:
        if key not in header:
            problems.append(f"{where}: header has no {key!r}")
    if header.get("version") != PROTOCOL_VERSION:
        problems.append(f"{where}: header.version is {header.get('version')!r}, expected {PROTOCOL_VERSION!r}")
    if not isinstance(header.get("msg_id"), str) or not header.get("msg_id"):
        problems.append(f"{where}: header.msg_id is empty or not a string")
    if expected_type is not None and mtype != expected_type:
        problems.append(f"message type is {mtype!r}, expected {expected_type!r}")
    if parent_msg_id is not None:
        got = (msg.get("parent_header") or {}).get("msg_id")
        if got != parent_msg_id:
            problems.append(f"{where}: parent_header.msg_id is {got!r}, expected {parent_msg_id!r}")
    content = msg.get("content")
    if not isinstance(content, dict):
        return problems + [f"{where}: content is not a dict"]
    if not isinstance(msg.get("metadata", {}), dict):
        problems.append(f"{where}: metadata is not a dict")

    def need(key: str, types: tuple, nullable: bool = False) -> None:
        if key not in content:
            problems.append(f"{where}: content has no {key!r}")
        elif not (isinstance(content[key], types) or (nullable and content[key] is None)):
            problems.append(f"{where}: content.{key} is {type(content[key]).__name__}")

    if mtype == "status":
        need("execution_state", (str,))
        if content.get("execution_state") not in ("busy", "idle", "starting"):
            problems.append(f"{where}: execution_state {content.get('execution_state')!r}")
    elif mtype == "stream":
        need("name", (str,))
        need("text", (str,))
        if content.get("name") not in ("stdout", "stderr"):
            problems.append(f"{where}: stream name {content.get('name')!r}")
    elif mtype == "execute_input":
        need("code", (str,))
        need("execution_count", (int,))
    elif mtype == "execute_result":
        need("execution_count", (int,))
        need("metadata", (dict,))
        problems += _mime_bundle_problems(where, content.get("data"))
    elif mtype in ("display_data", "update_display_data"):
        need("metadata", (dict,))
        problems += _mime_bundle_problems(where, content.get("data"))
        if not isinstance(content.get("transient", {}), dict):
            problems.append(f"{where}: transient is not a dict")
    elif mtype == "error":
        problems += _error_content_problems(where, content)
    elif mtype == "clear_output":
        need("wait", (bool,))
    elif mtype == "execute_reply":
        need("status", (str,))
        if content.get("status") not in ("ok", "error", "aborted"):
            problems.append(f"{where}: status {content.get('status')!r}")
        if content.get("status") != "aborted":  # an aborted reply has no other fields
            need("execution_count", (int,))
        if content.get("status") == "error":
            problems += _error_content_problems(where, content)
    return problems


def _error_content_problems(where: str, content: dict) -> list[str]:
    problems = []
    for key in ("ename", "evalue"):
        if not isinstance(content.get(key), str):
            problems.append(f"{where}: {key} is missing or not a string")
    tb = content.get("traceback")
    if not isinstance(tb, list) or not all(isinstance(line, str) for line in tb):
        problems.append(f"{where}: traceback is missing or not a list of strings")
    return problems


def iopub_sequence_problems(msgs: list[dict]) -> list[str]:
    """A request's IOPub messages start with status busy and end with idle."""
    states = [m["content"].get("execution_state") for m in msgs if m["header"].get("msg_type") == "status"]
    problems = []
    if not msgs:
        return ["no IOPub messages at all for the request"]
    first, last = msgs[0], msgs[-1]
    if first["header"].get("msg_type") != "status" or first["content"].get("execution_state") != "busy":
        problems.append(f"first IOPub message is {first['header'].get('msg_type')}, expected status busy")
    if last["header"].get("msg_type") != "status" or last["content"].get("execution_state") != "idle":
        problems.append(f"last IOPub message is {last['header'].get('msg_type')}, expected status idle")
    if states.count("busy") != 1 or states.count("idle") != 1:
        problems.append(f"status sequence {states}, expected exactly one busy and one idle")
    return problems


# --------------------------------------------------------------------------
# Results of one execute_request
# --------------------------------------------------------------------------


@dataclass
class CellResult:
    code: str
    msg_id: str
    messages: list[dict]  # IOPub messages whose parent is this request, in order
    arrivals: list[float]  # seconds since the request was sent, per message
    reply_msg: dict | None
    reply_arrival: float | None
    problems: list[str] = field(default_factory=list)

    @property
    def reply(self) -> dict:
        return self.reply_msg["content"] if self.reply_msg else {}

    @property
    def status(self) -> str | None:
        return self.reply.get("status")

    def of_type(self, msg_type: str) -> list[dict]:
        return [m for m in self.messages if m["header"]["msg_type"] == msg_type]

    def _stream(self, name: str) -> str:
        return "".join(m["content"]["text"] for m in self.of_type("stream") if m["content"].get("name") == name)

    @property
    def stdout(self) -> str:
        return self._stream("stdout")

    @property
    def stderr(self) -> str:
        return self._stream("stderr")

    @property
    def results(self) -> list[dict]:
        """data bundles of execute_result messages"""
        return [m["content"].get("data", {}) for m in self.of_type("execute_result")]

    @property
    def result(self) -> dict | None:
        results = self.results
        return results[0] if results else None

    @property
    def page(self) -> str | None:
        """text/plain of what the cell answered in the pager (the page payload of its execute_reply: NAME?,
        %help NAME); JupyterLab shows it below the cell, Notebook in its pager."""
        pages = [p for p in self.reply.get("payload", []) or [] if p.get("source") == "page"]
        return pages[0]["data"].get("text/plain") if pages else None

    def final_data(self, msg: dict) -> dict:
        """The bundle a display_data message shows once the cell is done: later
        update_display_data messages with the same display_id replace it."""
        data = msg["content"].get("data", {})
        display_id = (msg["content"].get("transient") or {}).get("display_id")
        if display_id:
            for m in self.messages[self.messages.index(msg) + 1:]:
                if (
                    m["header"]["msg_type"] == "update_display_data"
                    and (m["content"].get("transient") or {}).get("display_id") == display_id
                ):
                    data = m["content"].get("data", {})
        return data

    def visible_display_msgs(self) -> list[dict]:
        """display_data messages still showing something at the end of the cell
        (a progress bar the kernel blanks when the job ends is not among them)."""
        return [
            m for m in self.of_type("display_data")
            if any(v.strip() for v in self.final_data(m).values() if isinstance(v, str))
        ]

    @property
    def displays(self) -> list[dict]:
        """final bundles of the displays still visible at the end of the cell"""
        return [self.final_data(m) for m in self.visible_display_msgs()]

    @property
    def updates(self) -> list[dict]:
        """data bundles of update_display_data messages"""
        return [m["content"].get("data", {}) for m in self.of_type("update_display_data")]

    @property
    def error(self) -> dict | None:
        errors = self.of_type("error")
        return errors[0]["content"] if errors else None

    @property
    def error_text(self) -> str:
        """ename, evalue and traceback of the error, from IOPub and the reply."""
        parts = []
        for content in ([self.error] if self.error else []) + ([self.reply] if self.status == "error" else []):
            parts.append(str(content.get("ename", "")))
            parts.append(str(content.get("evalue", "")))
            parts.extend(str(line) for line in content.get("traceback", []) or [])
        return strip_ansi("\n".join(parts))

    @property
    def text(self) -> str:
        """Everything a user could read in the output area."""
        parts = [self.stdout, self.stderr, self.page or ""]
        for bundle in self.results + self.displays + self.updates:
            for mime in ("text/plain", "text/html", "text/markdown"):
                if isinstance(bundle.get(mime), str):
                    parts.append(bundle[mime])
        parts.append(self.error_text)
        return strip_ansi("\n".join(parts))

    @property
    def plain(self) -> str | None:
        return self.result.get("text/plain") if self.result else None

    def describe(self) -> str:
        lines = [f"code: {self.code!r}", f"reply: {self.reply}"]
        for t, m in zip(self.arrivals, self.messages):
            lines.append(f"  +{t:6.2f}s {m['header']['msg_type']}: {str(m['content'])[:600]}")
        return "\n".join(lines)


class KernelDied(AssertionError):
    pass


class CellTimeout(AssertionError):
    pass


class PendingCell:
    """An execute_request that was sent and whose messages are being read."""

    def __init__(self, kernel: "LabKernel", code: str, msg_id: str):
        self.kernel = kernel
        self.code = code
        self.msg_id = msg_id
        self.t0 = time.monotonic()
        self.messages: list[dict] = []
        self.arrivals: list[float] = []
        self.reply_msg: dict | None = None
        self.reply_arrival: float | None = None
        self.idle = False

    def pump(self, until: Callable[[dict], bool], timeout: float) -> bool:
        """Read IOPub until a message of this request matches `until`; False on timeout."""
        deadline = time.monotonic() + timeout
        kc = self.kernel.kc
        last_alive_check = time.monotonic()
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return False
            try:
                msg = kc.get_iopub_msg(timeout=min(remaining, 0.5))
            except queue.Empty:
                if time.monotonic() - last_alive_check > 2:
                    last_alive_check = time.monotonic()
                    if not self.kernel.km.is_alive():
                        raise KernelDied(
                            f"kernel process died while running {self.code!r}\n"
                            f"--- kernel log tail ---\n{self.kernel.log_tail()}"
                        )
                continue
            parent = (msg.get("parent_header") or {}).get("msg_id")
            if parent != self.msg_id:
                self.kernel.note_stray(parent, msg)
                continue
            self.messages.append(msg)
            self.arrivals.append(time.monotonic() - self.t0)
            if msg["header"]["msg_type"] == "status" and msg["content"].get("execution_state") == "idle":
                self.idle = True
                self.kernel.finished_cells[self.msg_id] = self.code
            if until(msg):
                return True

    def wait_busy(self, timeout: float = 30) -> bool:
        return any(_is_state(m, "busy") for m in self.messages) or self.pump(
            lambda m: _is_state(m, "busy"), timeout
        )

    def get_reply(self, timeout: float) -> bool:
        if self.reply_msg is None:
            self.reply_msg = self.kernel.shell_reply(self.msg_id, timeout)
            if self.reply_msg is not None:
                self.reply_arrival = time.monotonic() - self.t0
        return self.reply_msg is not None

    def finish(self, timeout: float = CELL_TIMEOUT, recover: bool = True) -> CellResult:
        """Read until status idle and the execute_reply came, within timeout."""
        deadline = time.monotonic() + timeout
        try:
            ok = self.idle or self.pump(lambda m: _is_state(m, "idle"), timeout)
        except KernelDied:
            if recover:
                self.kernel.recover()  # restarts it, so later tests get a kernel
            raise
        ok = ok and self.get_reply(max(deadline - time.monotonic(), 1.0))
        result = self.result()
        if not ok:
            if recover:
                self.kernel.recover()
            raise CellTimeout(
                f"cell did not finish within {timeout:.0f}s "
                f"(idle={self.idle}, reply={'yes' if self.reply_msg else 'no'})\n{result.describe()}\n"
                f"--- kernel log tail ---\n{self.kernel.log_tail()}"
            )
        return result

    def result(self) -> CellResult:
        problems = []
        for m in self.messages:
            problems += message_problems(m, self.msg_id)
        if self.idle:
            problems += iopub_sequence_problems(self.messages)
        if self.reply_msg is not None:
            problems += message_problems(self.reply_msg, self.msg_id, "execute_reply")
            count = self.reply_msg["content"].get("execution_count")
            for m in self.messages:
                if m["header"]["msg_type"] in ("execute_result", "execute_input"):
                    if m["content"].get("execution_count") != count:
                        problems.append(
                            f"{m['header']['msg_type']} execution_count "
                            f"{m['content'].get('execution_count')} != execute_reply's {count}"
                        )
        for problem in problems:
            self.kernel.protocol_problems.setdefault((self.msg_id, problem), self.code)
        return CellResult(
            self.code, self.msg_id, list(self.messages), list(self.arrivals),
            self.reply_msg, self.reply_arrival, problems,
        )


def _is_state(msg: dict, state: str) -> bool:
    return msg["header"]["msg_type"] == "status" and msg["content"].get("execution_state") == state


# --------------------------------------------------------------------------
# A kernel under test
# --------------------------------------------------------------------------


class LabKernel:
    """One kernel process started from the installed kernelspec, plus a blocking client."""

    def __init__(self, kernel_name: str, log_path: Path, cwd: Path | None = None, env: dict[str, str] | None = None):
        self.kernel_name = kernel_name
        self.log_path = log_path
        # its working directory (where Spark puts spark-warehouse/ and the like; a notebook's folder, as Jupyter
        # starts a notebook's kernel there); env: more for the kernel's environment
        self.cwd = cwd or log_path.parent / (log_path.stem + "-cwd")
        self.env = env
        # The connection file goes to JUPYTER_RUNTIME_DIR (a private directory during
        # the test session), so a surviving process can be recognised by its argv.
        runtime = Path(jupyter_runtime_dir())
        runtime.mkdir(parents=True, exist_ok=True)
        self.km = KernelManager(
            kernel_name=kernel_name, connection_file=str(runtime / f"kernel-{uuid.uuid4()}.json")
        )
        self.kc = None
        self._log = None
        self.ready_seconds: float | None = None
        self.spark_ready = False
        # (msg_id, problem) -> code, for every protocol problem seen in any cell
        self.protocol_problems: dict[tuple[str, str], str] = {}
        # msg_id -> code of cells whose status idle was seen
        self.finished_cells: dict[str, str] = {}

    # -- lifecycle ---------------------------------------------------------

    def start(self, timeout: float = STARTUP_TIMEOUT) -> "LabKernel":
        self._log = open(self.log_path, "ab")
        t0 = time.monotonic()
        self.cwd.mkdir(parents=True, exist_ok=True)
        self.km.start_kernel(
            stdout=self._log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, cwd=str(self.cwd),
            **({"env": {**os.environ, **self.env}} if self.env else {}),
        )
        self.kc = self.km.client()
        self.kc.start_channels()
        try:
            self.kc.wait_for_ready(timeout=timeout)
        except RuntimeError as e:
            raise AssertionError(
                f"kernel {self.kernel_name} did not answer kernel_info within {timeout:.0f}s: {e}\n"
                f"--- kernel log tail ---\n{self.log_tail()}"
            ) from e
        self.ready_seconds = time.monotonic() - t0
        return self

    def restart(self, timeout: float = STARTUP_TIMEOUT) -> None:
        self.km.restart_kernel(now=False)
        self.spark_ready = False
        self.kc.stop_channels()
        self.kc = self.km.client()
        self.kc.start_channels()
        self.kc.wait_for_ready(timeout=timeout)

    def stop(self) -> None:
        """Shut the kernel down (gracefully, then by force) and release everything."""
        pid = self.pid
        try:
            if self.kc is not None:
                self.kc.stop_channels()
        finally:
            try:
                if self.km.has_kernel:
                    self.km.shutdown_kernel(now=False)
            except Exception:
                pass
            finally:
                if pid and pid_alive(pid):
                    try:
                        os.killpg(os.getpgid(pid), signal.SIGKILL)
                    except OSError:
                        pass
                if self._log is not None:
                    self._log.close()
                    self._log = None

    def recover(self) -> None:
        """After a cell timed out: interrupt; if the kernel stays busy or died, restart it."""
        try:
            if self.km.is_alive():
                self.km.interrupt_kernel()
                if self._drain_until_idle(30):
                    return
            self.restart()
        except Exception:
            pass

    def _drain_until_idle(self, timeout: float) -> bool:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                msg = self.kc.get_iopub_msg(timeout=0.5)
            except queue.Empty:
                continue
            if _is_state(msg, "idle"):
                # make sure nothing else is queued behind it
                probe = self.submit("1 + 1")
                try:
                    probe.finish(timeout=max(deadline - time.monotonic(), 5), recover=False)
                    return True
                except AssertionError:
                    return False
        return False

    # -- facts -------------------------------------------------------------

    @property
    def pid(self) -> int | None:
        prov = self.km.provisioner
        proc = getattr(prov, "process", None) if prov is not None else None
        return proc.pid if proc is not None else None

    @property
    def connection_file(self) -> str:
        return self.km.connection_file

    def note_stray(self, parent: str | None, msg: dict) -> None:
        """Output that belongs to a cell which already went idle: the user would not
        see it under that cell (a frontend stops listening at idle)."""
        mtype = msg["header"]["msg_type"]
        # (update_display_data is exempt: frontends apply it by display_id, at any time)
        if parent in self.finished_cells and mtype not in ("status", "update_display_data"):
            problem = f"{mtype} arrived after the cell's status idle: {str(msg['content'])[:200]}"
            self.protocol_problems.setdefault((parent, problem), self.finished_cells[parent])

    def protocol_report(self) -> str:
        return "\n".join(f"{code[:60]!r}: {problem}" for (_, problem), code in self.protocol_problems.items())

    def log_tail(self, lines: int = 60) -> str:
        try:
            if self._log is not None:
                self._log.flush()
            text = self.log_path.read_text(errors="replace")
        except OSError:
            return "(no kernel log)"
        return "\n".join(text.splitlines()[-lines:])

    # -- requests ----------------------------------------------------------

    def submit(self, code: str, **kw: Any) -> PendingCell:
        kw.setdefault("allow_stdin", False)
        msg_id = self.kc.execute(code, **kw)
        return PendingCell(self, code, msg_id)

    def run(self, code: str, timeout: float = CELL_TIMEOUT, **kw: Any) -> CellResult:
        return self.submit(code, **kw).finish(timeout)

    def ok(self, code: str, timeout: float = CELL_TIMEOUT, **kw: Any) -> CellResult:
        """Run a cell that must succeed."""
        res = self.run(code, timeout, **kw)
        assert res.status == "ok", f"cell failed:\n{res.describe()}"
        return res

    def value(self, code: str, timeout: float = CELL_TIMEOUT) -> str:
        """text/plain of the execute_result of a cell that must succeed."""
        res = self.ok(code, timeout)
        assert res.plain is not None, f"cell gave no execute_result:\n{res.describe()}"
        return res.plain.strip()

    def ensure_spark(self, timeout: float = SPARK_READY_TIMEOUT) -> None:
        """Wait (once) for the background SparkSession: the first Spark job can be slow."""
        if not self.spark_ready:
            assert self.value("spark.range(3).count()", timeout) == "3"
            self.spark_ready = True

    def shell_reply(self, msg_id: str, timeout: float) -> dict | None:
        deadline = time.monotonic() + timeout
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return None
            try:
                msg = self.kc.get_shell_msg(timeout=min(remaining, 0.5))
            except queue.Empty:
                continue
            if (msg.get("parent_header") or {}).get("msg_id") == msg_id:
                return msg

    def request(self, msg_type: str, content: dict, timeout: float = 60) -> dict:
        """Send a shell request and return the whole reply message."""
        msg = self.kc.session.msg(msg_type, content)
        self.kc.shell_channel.send(msg)
        reply = self.shell_reply(msg["header"]["msg_id"], timeout)
        assert reply is not None, f"no reply to {msg_type} {content} within {timeout}s"
        return reply

    def request_with_iopub(self, msg_type: str, content: dict, timeout: float = 60) -> tuple[dict, list[dict]]:
        """Send a shell request; return its reply and the IOPub messages it caused (busy..idle)."""
        msg = self.kc.session.msg(msg_type, content)
        msg_id = msg["header"]["msg_id"]
        pending = PendingCell(self, f"<{msg_type}>", msg_id)
        self.kc.shell_channel.send(msg)
        reply = self.shell_reply(msg_id, timeout)
        assert reply is not None, f"no reply to {msg_type} within {timeout}s"
        pending.pump(lambda m: _is_state(m, "idle"), 10)
        return reply, pending.messages

    def complete(self, code: str, cursor_pos: int | None = None) -> dict:
        pos = len(code) if cursor_pos is None else cursor_pos
        return self.request("complete_request", {"code": code, "cursor_pos": pos})["content"]

    def inspect(self, code: str, cursor_pos: int | None = None, detail_level: int = 0) -> dict:
        pos = len(code) if cursor_pos is None else cursor_pos
        return self.request(
            "inspect_request", {"code": code, "cursor_pos": pos, "detail_level": detail_level}
        )["content"]

    def is_complete(self, code: str) -> dict:
        return self.request("is_complete_request", {"code": code})["content"]


# --------------------------------------------------------------------------
# Processes
# --------------------------------------------------------------------------


def pid_alive(pid: int) -> bool:
    """True if the process exists and is not a zombie."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            stat = f.read()
    except OSError:
        return False
    state = stat.rsplit(")", 1)[-1].split()[0]
    return state not in ("Z", "X")


def wait_pid_gone(pid: int, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not pid_alive(pid):
            return True
        time.sleep(0.2)
    return not pid_alive(pid)


def processes_with_arg(fragment: str) -> list[tuple[int, str]]:
    """Live processes with an argv element containing fragment."""
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit() or int(entry) == os.getpid():
            continue
        try:
            with open(f"/proc/{entry}/cmdline", "rb") as f:
                argv = [a.decode(errors="replace") for a in f.read().split(b"\0") if a]
        except OSError:
            continue
        if any(fragment in a for a in argv) and pid_alive(int(entry)):
            found.append((int(entry), " ".join(argv)[:300]))
    return found


# --------------------------------------------------------------------------
# Rendered tables
# --------------------------------------------------------------------------


@dataclass
class Table:
    headers: list[str]
    rows: list[list[str]]

    def records(self) -> list[dict[str, str]]:
        """Rows as {column: value}; copes with a leading index column."""
        headers = list(self.headers)
        out = []
        for row in self.rows:
            hs = headers
            if len(row) > len(hs):
                row = row[len(row) - len(hs):]
            elif len(hs) > len(row):
                hs = hs[len(hs) - len(row):]
            out.append(dict(zip(hs, row)))
        return out

    def column(self, name: str) -> list[str]:
        return [r.get(name) for r in self.records()]


_MORE_ROWS_RE = re.compile(r"\d+\s+more\s+rows?", re.I)


class _TableParser(HTMLParser):
    """Collects the cells of every <table>. For each cell it keeps the whole text and
    the cell's own text outside nested elements (a header may add the column type in
    a <span> under the name)."""

    _VOID = {"br", "img", "hr", "wbr", "input", "meta", "link"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tables: list[dict] = []
        self._stack: list[dict] = []
        self._row: list[tuple[str, str, str]] | None = None
        self._cell: list[str] | None = None
        self._own: list[str] = []
        self._depth = 0
        self._cell_tag = ""

    def handle_starttag(self, tag: str, attrs: Any) -> None:
        if tag == "table":
            self._stack.append({"rows": []})
        elif tag == "tr" and self._stack:
            self._row = []
        elif tag in ("td", "th") and self._row is not None:
            self._cell, self._own, self._depth = [], [], 0
            self._cell_tag = tag
        elif self._cell is not None:
            if tag == "br":
                self._cell.append("\n")
                self._own.append("\n")
            elif tag not in self._VOID:
                self._depth += 1

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th") and self._cell is not None and self._row is not None:
            full = " ".join("".join(self._cell).split())
            own_lines = [" ".join(x.split()) for x in "".join(self._own).split("\n")]
            own = next((x for x in own_lines if x), "")
            self._row.append((self._cell_tag, full, own))
            self._cell = None
        elif tag == "tr" and self._row is not None and self._stack:
            self._stack[-1]["rows"].append(self._row)
            self._row = None
        elif tag == "table" and self._stack:
            self.tables.append(self._stack.pop())
        elif self._cell is not None and tag not in self._VOID and self._depth > 0:
            self._depth -= 1

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)
            if self._depth == 0:
                self._own.append(data)


def parse_tables(markup: str) -> list[Table]:
    parser = _TableParser()
    parser.feed(markup)
    parser.close()
    tables = []
    for t in parser.tables:
        headers: list[str] = []
        rows: list[list[str]] = []
        for row in t["rows"]:
            tags = {tag for tag, _, _ in row}
            texts = [full for _, full, _ in row]
            if not headers and tags == {"th"}:
                # the column name: the header cell's own text, else its first line
                headers = [own or full.split("\n")[0] for _, full, own in row]
            elif len(texts) == 1 and _MORE_ROWS_RE.search(texts[0]):
                continue  # the "N more rows" note drawn as a table row
            else:
                rows.append(texts)
        tables.append(Table(headers, rows))
    return tables


def only_table(markup: str) -> Table:
    tables = parse_tables(markup)
    assert len(tables) == 1, f"expected one <table>, found {len(tables)} in:\n{markup[:2000]}"
    return tables[0]


def html_text(markup: str) -> str:
    """Visible text of an HTML fragment, whitespace collapsed."""
    text = re.sub(r"<[^>]+>", " ", markup)
    return " ".join(html.unescape(text).split())


def tokens(text: str) -> list[str]:
    return re.findall(r"[A-Za-z0-9_]+", text)


# --------------------------------------------------------------------------
# Installing the kernelspec (used by conftest.py and the install tests)
# --------------------------------------------------------------------------

TEST_KERNEL_NAME = "spark-streaming-java-test"


def java_executable() -> str:
    java_home = os.environ.get("JAVA_HOME")
    if java_home and (Path(java_home) / "bin" / "java").exists():
        return str(Path(java_home) / "bin" / "java")
    java = shutil.which("java")
    if not java:
        pytest.fail("no java on PATH (install openjdk-17-jdk-headless)", pytrace=False)
    return java


def run_installer(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    """java -jar kernel.jar install ARGS..."""
    return subprocess.run(
        [java_executable(), "-jar", str(JAR), "install", *args],
        capture_output=True, text=True, timeout=420, env=env,  # the first install trains the class archive
    )


# --------------------------------------------------------------------------
# What the kernel says, in each language (its message catalogues)
# --------------------------------------------------------------------------

CATALOGUES = ROOT / "kernel" / "src" / "main" / "resources" / "streaminglab" / "language"
_catalogues: dict[str, dict[str, str]] = {}


def _unescape(text: str) -> str:
    named = {"n": "\n", "t": "\t", "r": "\r", "f": "\f"}

    def one(m: re.Match) -> str:
        c = m.group(1)
        if c.startswith("u") and len(c) == 5:
            return chr(int(c[1:], 16))
        return named.get(c, c)

    return re.sub(r"\\(u[0-9a-fA-F]{4}|.)", one, text)


def read_properties(path: Path) -> dict[str, str]:
    """A Java .properties file read as the kernel reads it (UTF-8; comments, continued lines, escapes)."""
    messages: dict[str, str] = {}
    lines = path.read_text(encoding="utf-8").split("\n")
    i = 0
    while i < len(lines):
        line = lines[i].lstrip(" \t\f")
        i += 1
        if not line or line[0] in "#!":
            continue
        # an odd number of backslashes at the end continues the line (its next line's indent is dropped)
        while re.search(r"(?<!\\)(\\\\)*\\$", line) and i < len(lines):
            line = line[:-1] + lines[i].lstrip(" \t\f")
            i += 1
        m = re.match(r"((?:\\.|[^=:\s\\])*)\s*[=:\s]?\s*(.*)$", line, re.S)
        messages[_unescape(m.group(1))] = _unescape(m.group(2))
    return messages


def say(language: str, key: str, *args) -> str:
    """What the kernel says for `key` in `language` ("en", "ko"), its placeholders {0}, {1}... filled as the
    kernel fills them (literally); a key the language lacks is said in English, as the kernel does."""
    if language not in _catalogues:
        name = "messages.properties" if language == "en" else f"messages_{language}.properties"
        _catalogues[language] = read_properties(CATALOGUES / name)
    catalogue = _catalogues[language]
    if key not in catalogue:
        if language == "en":
            raise KeyError(f"no message {key} in the kernel's catalogue")
        return say("en", key, *args)
    text = catalogue[key]
    for i, arg in enumerate(args):
        text = text.replace("{" + str(i) + "}", str(arg))
    return text


def said_like(language: str, key: str, *parts: str) -> re.Pattern:
    """The message as a pattern: each part is a regex for its placeholder (a number the test cannot know)."""
    text = re.escape(say(language, key, *(f"\x00{i}\x00" for i in range(len(parts)))))
    for i, part in enumerate(parts):
        text = text.replace(re.escape(f"\x00{i}\x00"), part)
    return re.compile(text)
