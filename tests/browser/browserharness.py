"""Helpers for the real-browser tests: a Jupyter server in a sandbox of temporary
directories, the notebook the tests open, and what differs between the front ends
(JupyterLab, Notebook 7, nbclassic) when a test drives them through their DOM.

Nothing here depends on tests/conftest.py: the browser tests bring their own fixtures
(tests/browser/conftest.py) so that they run with or without it.
"""

from __future__ import annotations

import ctypes
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
JAR = ROOT / "kernel" / "target" / "spark-streaming-lab-kernel.jar"
KERNEL_NAME = "spark-streaming-java"
KERNEL_DISPLAY_NAME = "Spark Streaming (Java)"
QUERY_NAME = "browser_wc"

CHROMIUM = os.environ.get("LAB_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-extensions",
    "--no-first-run",
    "--no-default-browser-check",
    "--mute-audio",
]

# Generous limits for a loaded 2-core machine. The first Spark query of a kernel takes
# ~10 s to start (JIT), and the kernel's SparkSession is created in the background.
SERVER_START_TIMEOUT = float(os.environ.get("LAB_BROWSER_SERVER_TIMEOUT", "90"))
KERNEL_READY_TIMEOUT = float(os.environ.get("LAB_BROWSER_KERNEL_TIMEOUT", "150"))
QUERY_START_TIMEOUT = float(os.environ.get("LAB_BROWSER_QUERY_TIMEOUT", "150"))
UPDATE_TIMEOUT = float(os.environ.get("LAB_BROWSER_UPDATE_TIMEOUT", "90"))

# Screenshots always go here (CI keeps them with the logs); with LAB_DOCS_SCREENSHOTS=1 the
# ones the docs use are also copied into docs/.
ARTIFACT_DIR = Path(os.environ.get("LAB_BROWSER_ARTIFACTS", str(ROOT / "target" / "browser-tests")))
DOCS_DIR = ROOT / "docs"


try:
    _LIBC = ctypes.CDLL(None, use_errno=True)
except OSError:  # not Linux
    _LIBC = None


def _die_with_parent() -> None:
    """In the Jupyter server's process, before exec: SIGTERM when pytest dies, so that a
    killed test run still takes its server (which then shuts its kernels down) with it."""
    if _LIBC is not None:
        _LIBC.prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


def in_ci() -> bool:
    return os.environ.get("CI", "").lower() in ("1", "true", "yes")


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def port_is_free(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return False
        return True


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
    return stat.rsplit(")", 1)[-1].split()[0] not in ("Z", "X")


def processes_with_arg(fragment: str) -> list[tuple[int, str]]:
    """Live processes with an argv element that contains fragment."""
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
            found.append((int(entry), " ".join(argv)[:200]))
    return found


def java_executable() -> str:
    java_home = os.environ.get("JAVA_HOME")
    if java_home and (Path(java_home) / "bin" / "java").exists():
        return str(Path(java_home) / "bin" / "java")
    java = shutil.which("java")
    if not java:
        raise RuntimeError("no java on PATH (install openjdk-17-jdk-headless)")
    return java


def install_kernelspec(prefix: Path) -> Path:
    """java -jar kernel.jar install --prefix PREFIX; returns PREFIX/share/jupyter."""
    proc = subprocess.run(
        [java_executable(), "-jar", str(JAR), "install", "--prefix", str(prefix)],
        capture_output=True, text=True, timeout=180,
    )
    spec = prefix / "share" / "jupyter" / "kernels" / KERNEL_NAME / "kernel.json"
    if proc.returncode != 0 or not spec.is_file():
        raise RuntimeError(
            f"installing the kernelspec into {prefix} failed (exit {proc.returncode}):\n"
            f"{proc.stdout}\n{proc.stderr}")
    return prefix / "share" / "jupyter"


# --------------------------------------------------------------------------
# The notebook the tests open
# --------------------------------------------------------------------------


def query_source(port: int) -> str:
    return (
        f'Dataset<Row> lines = spark.readStream().format("socket")'
        f'.option("host", "localhost").option("port", {port}).load();\n'
        'StreamingQuery q = lines.select(expr("explode(split(value, \' \')) as word"))'
        '.groupBy("word").count()\n'
        f'    .writeStream().format("console").outputMode("complete").queryName("{QUERY_NAME}").start();'
    )


def send_source(port: int, line: str) -> str:
    return f"%%socket send {port}\n{line}"


# A slow cell the student runs further down while the stream updates above it: it keeps the
# kernel busy until the query has read every line sent so far (numInputRows of its progress
# reports), and for two seconds more, so that the live view's update arrives while this
# cell, not the query's cell, is running. Its result is an ordinary batch table.
def busy_source(lines_sent: int) -> str:
    return (
        f"// a slow cell: busy until the query has read all {lines_sent} lines sent so far\n"
        "for (int i = 0; i < 1200 && Arrays.stream(q.recentProgress())"
        f".mapToLong(p -> p.numInputRows()).sum() < {lines_sent}; i++) Thread.sleep(100);\n"
        "Thread.sleep(8000);\n"  # room for the update to reach the page on a busy machine
        'spark.range(1, 6).selectExpr("id AS n", "id * id AS square")'
    )


# cell index -> role; the tests address cells by these indices
CELL_TITLE, CELL_SOCKET, CELL_QUERY, CELL_SEND, CELL_NOTE, CELL_LAST = range(6)


def make_notebook(path: Path, port: int, first_line: str) -> None:
    cells = [
        ("markdown", "# Socket WordCount: a live view\n"
                     "The query below keeps its table up to date while you work in other cells."),
        ("code", f"%socket start {port}"),
        ("code", query_source(port)),
        ("code", send_source(port, first_line)),
        ("markdown", "Meanwhile, further down:"),
        ("code", "1+1"),
    ]
    nb = {
        "nbformat": 4,
        "nbformat_minor": 5,
        "metadata": {
            "kernelspec": {"name": KERNEL_NAME, "display_name": KERNEL_DISPLAY_NAME, "language": "java"},
            "language_info": {"name": "java"},
        },
        "cells": [],
    }
    for i, (kind, source) in enumerate(cells):
        cell = {"cell_type": kind, "id": f"cell-{i}", "metadata": {}, "source": source}
        if kind == "code":
            cell.update(outputs=[], execution_count=None)
        nb["cells"].append(cell)
    path.write_text(json.dumps(nb, indent=1))


# --------------------------------------------------------------------------
# Jupyter server
# --------------------------------------------------------------------------


class JupyterServer:
    """`python -m jupyterlab` on 127.0.0.1 with a token, every Jupyter directory it writes
    (runtime, config, data, lab settings and workspaces) in a temporary sandbox."""

    def __init__(self, sandbox: Path, notebook_dir: Path, jupyter_path: Path):
        self.sandbox = sandbox
        self.notebook_dir = notebook_dir
        self.jupyter_path = jupyter_path
        self.runtime_dir = sandbox / "runtime"
        self.lab_home = sandbox / "lab-home"   # the kernel's SPARK_LAB_HOME: its logs, data
        self.token = secrets.token_hex(16)
        self.port: int | None = None
        self.proc: subprocess.Popen | None = None
        self.log_path = sandbox / "jupyter-server.log"
        self._log = None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def url(self, path: str) -> str:
        sep = "&" if "?" in path else "?"
        return f"{self.base_url}{path}{sep}token={self.token}"

    def _env(self) -> dict:
        env = dict(os.environ)
        for d in ("runtime", "config", "data", "settings", "workspaces"):
            (self.sandbox / d).mkdir(parents=True, exist_ok=True)
        old = env.get("JUPYTER_PATH")
        env["JUPYTER_PATH"] = str(self.jupyter_path) + (os.pathsep + old if old else "")
        env["JUPYTER_RUNTIME_DIR"] = str(self.runtime_dir)
        env["JUPYTER_CONFIG_DIR"] = str(self.sandbox / "config")
        env["JUPYTER_DATA_DIR"] = str(self.sandbox / "data")
        env["JUPYTERLAB_SETTINGS_DIR"] = str(self.sandbox / "settings")
        env["JUPYTERLAB_WORKSPACES_DIR"] = str(self.sandbox / "workspaces")
        env["JUPYTER_PLATFORM_DIRS"] = "1"
        env["SPARK_LAB_HOME"] = str(self.lab_home)
        # no "would you like to get Jupyter news?" toast over the notebook
        notif = self.sandbox / "settings" / "@jupyterlab" / "apputils-extension"
        notif.mkdir(parents=True, exist_ok=True)
        (notif / "notification.jupyterlab-settings").write_text(
            json.dumps({"fetchNews": "false", "checkForUpdates": False}))
        return env

    def start(self) -> "JupyterServer":
        env = self._env()
        last_error = ""
        for _attempt in range(3):
            self.port = free_port()
            self._log = open(self.log_path, "ab")
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "jupyterlab",
                 "--no-browser",
                 "--ServerApp.ip=127.0.0.1",
                 f"--ServerApp.port={self.port}",
                 "--ServerApp.port_retries=0",
                 f"--IdentityProvider.token={self.token}",
                 f"--ServerApp.root_dir={self.notebook_dir}",
                 "--ServerApp.allow_root=True",
                 "--ServerApp.open_browser=False",
                 "--ServerApp.shutdown_no_activity_timeout=900",  # never outlives a lost test run
                 "--MappingKernelManager.shutdown_wait_time=20",
                 "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
                 "--NotebookApp.show_banner=False",  # nbclassic: no banner about Notebook 7
                 ],
                cwd=str(self.notebook_dir), env=env, stdin=subprocess.DEVNULL,
                stdout=self._log, stderr=subprocess.STDOUT, start_new_session=True,
                preexec_fn=_die_with_parent,
            )
            deadline = time.monotonic() + SERVER_START_TIMEOUT
            while time.monotonic() < deadline:
                if self.proc.poll() is not None:
                    break
                try:
                    self.api("GET", "/api/status", timeout=5)
                    return self
                except (OSError, urllib.error.URLError):
                    time.sleep(0.3)
            last_error = self.log_tail()
            self.stop()
        raise RuntimeError(f"the Jupyter server did not start; its log ends with:\n{last_error}")

    def api(self, method: str, path: str, body: dict | None = None, timeout: float = 30):
        data = json.dumps(body).encode() if body is not None else None
        req = urllib.request.Request(
            self.base_url + path, data=data, method=method,
            headers={"Authorization": f"token {self.token}", "Content-Type": "application/json"})
        with urllib.request.urlopen(req, timeout=timeout) as resp:
            raw = resp.read()
        return json.loads(raw) if raw else None

    def kernels(self) -> list[dict]:
        # jupyter_server 2.x answers 500 (a TraitError on last_activity) when the list is
        # asked for while a kernel is still being started; that is its race, not ours: ask again.
        for attempt in range(20):
            try:
                return self.api("GET", "/api/kernels")
            except urllib.error.HTTPError as e:
                if e.code != 500 or attempt == 19:
                    raise
                time.sleep(0.25)
        raise AssertionError("unreachable")

    def wait_kernel_idle(self, timeout: float = KERNEL_READY_TIMEOUT) -> dict:
        """The notebook's kernel exists and has answered (execution_state idle)."""
        deadline = time.monotonic() + timeout
        kernels: list[dict] = []
        while time.monotonic() < deadline:
            kernels = self.kernels()
            if kernels and all(k.get("execution_state") == "idle" for k in kernels):
                return kernels[0]
            time.sleep(0.5)
        raise AssertionError(f"no idle kernel after {timeout:.0f} s: {kernels}")

    def notebook_model(self, path: str) -> dict:
        return self.api("GET", f"/api/contents/{path}?content=1")

    def log_tail(self, lines: int = 40) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""

    def kernel_log(self) -> str:
        """The kernel's own log (SPARK_LAB_HOME/logs/kernel.log), or ""."""
        try:
            return (self.lab_home / "logs" / "kernel.log").read_text(errors="replace")
        except OSError:
            return ""

    def shutdown_kernels(self) -> None:
        """Shut every kernel down through the REST API (the kernel stops its queries)."""
        if self.proc is None or self.proc.poll() is not None:
            return
        try:
            for s in self.api("GET", "/api/sessions"):
                try:
                    self.api("DELETE", f"/api/sessions/{s['id']}", timeout=60)
                except (OSError, urllib.error.URLError):
                    pass
            for k in self.api("GET", "/api/kernels"):
                try:
                    self.api("DELETE", f"/api/kernels/{k['id']}", timeout=60)
                except (OSError, urllib.error.URLError):
                    pass
        except (OSError, urllib.error.URLError):
            pass

    def stop(self) -> list[tuple[int, str]]:
        """Stop kernels and server, whatever state they are in. Returns the kernel processes
        that had to be killed because they outlived the server (there should be none)."""
        proc = self.proc
        if proc is not None and proc.poll() is None:
            self.shutdown_kernels()
            try:
                self.api("POST", "/api/shutdown", timeout=10)
            except (OSError, urllib.error.URLError):
                pass
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self._signal_group(proc, signal.SIGTERM)
                try:
                    proc.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    self._signal_group(proc, signal.SIGKILL)
                    proc.wait(timeout=15)
        if proc is not None:
            # anything the server started in its session (a kernel it lost track of)
            self._signal_group(proc, signal.SIGKILL)
        if self._log is not None:
            self._log.close()
            self._log = None
        leftovers = processes_with_arg(str(self.runtime_dir))
        for pid, _ in leftovers:
            try:
                os.kill(pid, signal.SIGKILL)
            except OSError:
                pass
        return leftovers

    @staticmethod
    def _signal_group(proc: subprocess.Popen, sig: int) -> None:
        try:
            os.killpg(proc.pid, sig)
        except (OSError, ProcessLookupError):
            pass


# --------------------------------------------------------------------------
# Front ends
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class FrontEnd:
    """What a test needs to know about one front end's DOM."""

    name: str
    title: str
    url_path: str          # format with {path}
    cell: str              # every notebook cell, in document order
    editor: str            # inside a cell: where a click starts editing
    focused_editor: str    # document.activeElement matches this while a cell is being edited
    prompt: str            # inside a cell: the input prompt ("[*]" while queued or running)
    output: str            # inside a cell: its output area
    kernel_idle: str       # present while the front end sees its kernel idle and connected

    def notebook_url(self, server: JupyterServer, path: str) -> str:
        return server.url(self.url_path.format(path=path))


_LAB_DOM = dict(
    cell=".jp-Notebook .jp-Cell",
    editor=".jp-InputArea-editor .cm-content",
    focused_editor=".cm-content",
    prompt=".jp-InputPrompt",
    output=".jp-Cell-outputArea",
    kernel_idle=".jp-Notebook-ExecutionIndicator[data-status='idle']",
)

JUPYTERLAB = FrontEnd(name="jupyterlab", title="JupyterLab 4", url_path="/lab/tree/{path}", **_LAB_DOM)
NOTEBOOK7 = FrontEnd(name="notebook7", title="Notebook 7", url_path="/notebooks/{path}", **_LAB_DOM)
NBCLASSIC = FrontEnd(
    name="nbclassic", title="nbclassic (classic Notebook)", url_path="/nbclassic/notebooks/{path}",
    cell="#notebook-container > .cell",
    editor=".CodeMirror-lines",
    focused_editor=".CodeMirror textarea",
    prompt=".input_prompt",
    output=".output_wrapper .output",
    kernel_idle="#kernel_indicator_icon.kernel_idle_icon",
)
FRONT_ENDS = {f.name: f for f in (JUPYTERLAB, NOTEBOOK7, NBCLASSIC)}


# JavaScript run in the page. Each takes one argument object.

JS_INSTALL_RECORDER = """
(a) => {
  const cells = () => Array.from(document.querySelectorAll(a.cell));
  const target = cells()[a.index].querySelector(a.output);
  const running = () => cells().map((c, i) => {
      const p = c.querySelector(a.prompt);
      return p && p.textContent.includes('*') ? i : -1;
  }).filter(i => i >= 0);
  const activeCell = () => {
      const el = document.activeElement;
      const cell = el && el.closest(a.cell);
      return cell ? cells().indexOf(cell) : -1;
  };
  const read = () => {
      const view = target.querySelector('.lab-live-view');
      return view ? view.innerText : null;
  };
  const rows = () => Array.from(target.querySelectorAll('.lab-live-view table.lab-table tbody tr'))
      .map(tr => Array.from(tr.querySelectorAll('td')).map(td => td.innerText.trim()));
  const rec = window.__labLiveLog = {events: [], last: undefined};
  const check = () => {
      const text = read();
      if (text !== rec.last) {
          rec.last = text;
          rec.events.push({at: Date.now(), text: text, rows: rows(), running: running(), active: activeCell()});
      }
  };
  new MutationObserver(check).observe(target, {subtree: true, childList: true, characterData: true});
  check();
  return rec.events.length;
}
"""

JS_EVENTS = "() => (window.__labLiveLog || {events: []}).events"

JS_READ_VIEW = """
(a) => {
  const cell = document.querySelectorAll(a.cell)[a.index];
  const out = cell && cell.querySelector(a.output);
  if (!out) return null;
  const views = out.querySelectorAll('.lab-live-view');
  if (!views.length) return {views: 0, header: null, columns: [], rows: [], outputText: out.innerText};
  const view = views[views.length - 1];
  const table = view.querySelector('table.lab-table');
  const header = view.firstElementChild ? view.firstElementChild.innerText : '';
  const columns = table ? Array.from(table.querySelectorAll('thead th')).map(th => th.firstChild ? th.firstChild.textContent.trim() : '') : [];
  const rows = table ? Array.from(table.querySelectorAll('tbody tr')).map(tr => Array.from(tr.querySelectorAll('td')).map(td => td.innerText.trim())) : [];
  return {views: views.length, header: header, columns: columns, rows: rows, outputText: out.innerText};
}
"""

JS_CELL_STATE = """
(a) => {
  const cells = Array.from(document.querySelectorAll(a.cell));
  const el = document.activeElement;
  const activeCell = el && el.closest(a.cell);
  return {
    count: cells.length,
    prompts: cells.map(c => { const p = c.querySelector(a.prompt); return p ? p.textContent.trim() : null; }),
    activeCell: activeCell ? cells.indexOf(activeCell) : -1,
    editing: !!(el && el.matches(a.focused_editor)),
    outputs: cells.map(c => { const o = c.querySelector(a.output); return o ? o.innerText : null; }),
  };
}
"""


def save_screenshot(page, name: str, docs_name: str | None = None) -> Path:
    """Screenshot of the viewport into ARTIFACT_DIR; with LAB_DOCS_SCREENSHOTS=1 also into docs/."""
    ARTIFACT_DIR.mkdir(parents=True, exist_ok=True)
    path = ARTIFACT_DIR / f"{name}.png"
    page.screenshot(path=str(path))
    if docs_name and os.environ.get("LAB_DOCS_SCREENSHOTS") == "1":
        DOCS_DIR.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, DOCS_DIR / docs_name)
    return path
