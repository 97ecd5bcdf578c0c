"""install/start-lab.sh and install/uninstall-lab.sh, run the way CI runs them on a clean machine:
no Jupyter on PATH (so the script installs JupyterLab from PyPI into the lab's own environment), a
private HOME and Jupyter data directory (the real user's config is never touched), then

* the kernelspec is listed by `jupyter kernelspec list`;
* the Jupyter server the script starts (no browser, 127.0.0.1, a free port, a token) answers with our
  kernel in /api/kernelspecs and serves the lessons;
* a notebook runs through that server: a kernel started over the REST API, cells sent over its
  websocket (Java, Spark, %%sql), the outputs saved into a valid notebook;
* uninstall removes the kernelspec (and, when asked, the lab's environment).

The lab's environment lives in target/ (LAB_TEST_LAB_VENV moves it): a fresh clone installs JupyterLab
from PyPI once, later runs on the same tree reuse it. pip's download cache is the real user's, so a
re-install does not download again. LAB_TEST_FRESH_VENV=1 forces a new environment.
"""

from __future__ import annotations

import asyncio
import datetime
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
import uuid
from pathlib import Path

import nbformat
import pytest

from labharness import ROOT, processes_with_arg, wait_pid_gone

START = ROOT / "install" / "start-lab.sh"
UNINSTALL = ROOT / "install" / "uninstall-lab.sh"
KERNEL_NAME = "spark-streaming-java"
DISPLAY_NAME = "Spark Streaming (Java)"
LAB_VENV = Path(os.environ.get("LAB_TEST_LAB_VENV") or ROOT / "target" / "test-install" / "venv-lab")
INSTALL_TIMEOUT = 1200  # a clean machine: pip installs JupyterLab; the jar is built by CI before pytest
SERVER_TIMEOUT = 120
CELL_TIMEOUT = float(os.environ.get("LAB_TEST_SPARK_TIMEOUT", "300"))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def real_pip_cache() -> str:
    if os.environ.get("PIP_CACHE_DIR"):
        return os.environ["PIP_CACHE_DIR"]
    if sys.platform == "darwin":
        return str(Path.home() / "Library" / "Caches" / "pip")
    return str(Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "pip")


def path_without_jupyter() -> str:
    """PATH with every folder that holds a `jupyter` left out: the script must find none."""
    keep = []
    for d in os.environ.get("PATH", "").split(os.pathsep):
        if d and not (Path(d) / "jupyter").exists():
            keep.append(d)
    return os.pathsep.join(keep)


def base_python() -> str:
    """A Python that is not the test venv's (the script makes its own venv with it)."""
    for candidate in (getattr(sys, "_base_executable", None), shutil.which("python3", path=path_without_jupyter())):
        if candidate and Path(candidate).exists():
            return candidate
    pytest.fail("no python3 found to create the lab's environment with", pytrace=False)


@pytest.fixture(scope="module")
def lab_env(tmp_path_factory, runtime_dir) -> dict:
    """The environment of a user on a clean machine: own HOME, own Jupyter dirs, no Jupyter on PATH."""
    home = tmp_path_factory.mktemp("install-home")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("JUPYTER_", "VIRTUAL_ENV", "SPARK_", "KAFKA_"))}
    env.update(
        HOME=str(home),
        PATH=path_without_jupyter(),
        JUPYTER_DATA_DIR=str(home / "jupyter-data"),
        JUPYTER_CONFIG_DIR=str(home / "jupyter-config"),
        # kernels started by the server are recognisable (and checked for leftovers) by this folder
        JUPYTER_RUNTIME_DIR=str(runtime_dir),
        SPARK_LAB_HOME=str(home / "lab-home"),
        SPARK_LAB_VENV=str(LAB_VENV),
        SPARK_LAB_PYTHON=base_python(),
        PIP_CACHE_DIR=real_pip_cache(),
        PYTHONDONTWRITEBYTECODE="1",
    )
    if shutil.which("java", path=env["PATH"]) is None and not env.get("JAVA_HOME"):
        pytest.fail("no java on PATH (install openjdk-17-jdk-headless)", pytrace=False)
    return env


def run_script(script: Path, *args: str, env: dict, timeout: float = 120) -> subprocess.CompletedProcess:
    return subprocess.run(["bash", str(script), *args], env=env, capture_output=True, text=True,
                          timeout=timeout, stdin=subprocess.DEVNULL, cwd="/")


def describe(proc: subprocess.CompletedProcess) -> str:
    return f"exit {proc.returncode}\n--- stdout ---\n{proc.stdout[-4000:]}\n--- stderr ---\n{proc.stderr[-4000:]}"


@pytest.fixture(scope="module")
def installed(lab_env) -> dict:
    """install/start-lab.sh --install-only, as a student's first run (JupyterLab from PyPI when missing)."""
    if os.environ.get("LAB_TEST_FRESH_VENV") == "1" and LAB_VENV.exists():
        shutil.rmtree(LAB_VENV)
    fresh = not (LAB_VENV / "bin" / "jupyter").exists()
    t0 = time.monotonic()
    proc = run_script(START, "--install-only", env=lab_env, timeout=INSTALL_TIMEOUT)
    seconds = time.monotonic() - t0
    assert proc.returncode == 0, describe(proc)
    if fresh:
        assert f"no Jupyter found: installing JupyterLab into {LAB_VENV}" in proc.stdout, describe(proc)
    else:
        assert f"using the lab's JupyterLab in {LAB_VENV}" in proc.stdout, describe(proc)
    print(f"install/start-lab.sh --install-only took {seconds:.1f}s (JupyterLab {'installed' if fresh else 'reused'})")
    return {"fresh": fresh, "stdout": proc.stdout, "seconds": seconds}


def spec_dir(env: dict) -> Path:
    return Path(env["JUPYTER_DATA_DIR"]) / "kernels" / KERNEL_NAME


def kernelspecs_listed(env: dict) -> dict:
    out = subprocess.run([str(LAB_VENV / "bin" / "jupyter"), "kernelspec", "list", "--json"], env=env,
                         capture_output=True, text=True, timeout=120, check=True).stdout
    return json.loads(out)["kernelspecs"]


# --------------------------------------------------------------------------------------------------
# a Jupyter server started by the script
# --------------------------------------------------------------------------------------------------


class Server:
    def __init__(self, env: dict, log: Path, *extra: str):
        self.port = free_port()
        self.token = secrets.token_hex(16)
        self.log_path = log
        self._log = open(log, "wb")
        self.proc = subprocess.Popen(
            ["bash", str(START), "--no-browser", "--port", str(self.port), "--ServerApp.port_retries=0",
             f"--IdentityProvider.token={self.token}", *extra],
            env=env, stdout=self._log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
            start_new_session=True, cwd="/",
        )
        self.base = f"http://127.0.0.1:{self.port}"

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")[-4000:]

    def get(self, path: str, timeout: float = 30) -> dict | list:
        req = urllib.request.Request(self.base + path, headers={"Authorization": f"token {self.token}"})
        with urllib.request.urlopen(req, timeout=timeout) as r:
            return json.loads(r.read())

    def call(self, method: str, path: str, body: dict | None = None, timeout: float = 60):
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(self.base + path, data=data, method=method,
                                     headers={"Authorization": f"token {self.token}",
                                              "Content-Type": "application/json"})
        with urllib.request.urlopen(req, timeout=timeout) as r:
            raw = r.read()
            return json.loads(raw) if raw else None

    def wait_ready(self) -> None:
        deadline = time.monotonic() + SERVER_TIMEOUT
        while True:
            assert self.proc.poll() is None, f"the Jupyter server exited {self.proc.returncode}:\n{self.log()}"
            try:
                self.get("/api/status", timeout=5)
                return
            except (urllib.error.URLError, ConnectionError, TimeoutError, OSError):
                pass
            assert time.monotonic() < deadline, f"no answer on port {self.port} after {SERVER_TIMEOUT}s:\n{self.log()}"
            time.sleep(0.5)

    def stop(self) -> None:
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)  # the server shuts its kernels down on SIGTERM
            try:
                self.proc.wait(60)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(10)
        self._log.close()


@pytest.fixture
def server_factory(lab_env, installed, tmp_path):
    servers: list[Server] = []

    def start(*extra: str) -> Server:
        s = Server(lab_env, tmp_path / f"jupyter-server-{len(servers)}.log", *extra)
        servers.append(s)
        s.wait_ready()
        return s

    yield start
    for s in servers:
        s.stop()


# --------------------------------------------------------------------------------------------------
# a notebook through the server: REST API for the kernel, websocket for the cells
# --------------------------------------------------------------------------------------------------


async def _execute(server: Server, kernel_id: str, code: str, timeout: float) -> tuple[dict, list[dict]]:
    from tornado.httpclient import HTTPRequest
    from tornado.websocket import websocket_connect

    url = f"ws://127.0.0.1:{server.port}/api/kernels/{kernel_id}/channels?session_id={uuid.uuid4().hex}"
    conn = await asyncio.wait_for(websocket_connect(
        HTTPRequest(url, headers={"Authorization": f"token {server.token}"})), 60)
    try:
        msg_id = uuid.uuid4().hex
        await conn.write_message(json.dumps({
            "header": {"msg_id": msg_id, "msg_type": "execute_request", "username": "test",
                       "session": uuid.uuid4().hex, "version": "5.3",
                       "date": datetime.datetime.now(datetime.timezone.utc).isoformat()},
            "parent_header": {}, "metadata": {}, "channel": "shell", "buffers": [],
            "content": {"code": code, "silent": False, "store_history": True, "user_expressions": {},
                        "allow_stdin": False, "stop_on_error": True},
        }))
        outputs: list[dict] = []
        reply = None
        idle = False
        deadline = time.monotonic() + timeout
        while reply is None or not idle:
            left = deadline - time.monotonic()
            assert left > 0, f"no reply to {code!r} within {timeout:.0f}s; outputs so far: {outputs}"
            raw = await asyncio.wait_for(conn.read_message(), left)
            assert raw is not None, "the kernel's websocket closed"
            if isinstance(raw, bytes):
                continue
            msg = json.loads(raw)
            if (msg.get("parent_header") or {}).get("msg_id") != msg_id:
                continue
            mtype = msg["header"]["msg_type"]
            content = msg["content"]
            if msg.get("channel") == "shell" and mtype == "execute_reply":
                reply = content
            elif mtype == "status":
                idle = content["execution_state"] == "idle"
            elif mtype == "stream":
                outputs.append(nbformat.v4.new_output("stream", name=content["name"], text=content["text"]))
            elif mtype in ("execute_result", "display_data"):
                kind = "execute_result" if mtype == "execute_result" else "display_data"
                extra = {"execution_count": content["execution_count"]} if kind == "execute_result" else {}
                outputs.append(nbformat.v4.new_output(kind, data=content["data"],
                                                      metadata=content.get("metadata", {}), **extra))
            elif mtype == "error":
                outputs.append(nbformat.v4.new_output("error", ename=content["ename"], evalue=content["evalue"],
                                                      traceback=content["traceback"]))
        return reply, outputs
    finally:
        conn.close()


def run_notebook(server: Server, kernel_id: str, nb) -> None:
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        reply, outputs = asyncio.run(_execute(server, kernel_id, cell.source, CELL_TIMEOUT))
        cell.outputs = outputs
        cell.execution_count = reply.get("execution_count")
        errors = [o for o in outputs if o.output_type == "error"]
        assert reply["status"] == "ok" and not errors, f"cell {cell.source!r} failed: {reply} {errors}"


def plain(cell) -> str:
    """The cell's value (not the progress displays that came before it)."""
    return "".join(o.get("data", {}).get("text/plain", "") for o in cell.outputs if o.output_type == "execute_result")


def html(cell) -> str:
    return "".join(o.get("data", {}).get("text/html", "") for o in cell.outputs
                   if o.output_type in ("execute_result", "display_data"))


# --------------------------------------------------------------------------------------------------
# the tests, in the order a student meets them
# --------------------------------------------------------------------------------------------------


def test_wrong_arguments_are_refused_with_usage(lab_env):
    proc = run_script(START, "--heap", "lots", env=lab_env, timeout=60)
    assert proc.returncode == 2 and "--heap needs a size like 1g" in proc.stderr, describe(proc)
    proc = run_script(START, "--help", env=lab_env, timeout=60)
    assert proc.returncode == 0 and "--install-only" in proc.stdout and "--no-browser" in proc.stdout, describe(proc)
    proc = run_script(UNINSTALL, "--bogus", env=lab_env, timeout=60)
    assert proc.returncode == 2 and "unknown argument '--bogus'" in proc.stderr, describe(proc)


def test_install_lists_the_kernelspec_for_the_user(lab_env, installed):
    spec = json.loads((spec_dir(lab_env) / "kernel.json").read_text())
    assert spec["display_name"] == DISPLAY_NAME
    assert Path(spec["argv"][0]).name == "java" and "{connection_file}" in spec["argv"]
    jar = Path(spec["argv"][spec["argv"].index("-jar") + 1])
    assert jar == ROOT / "kernel" / "target" / "spark-streaming-lab-kernel.jar" and jar.is_file()
    listed = kernelspecs_listed(lab_env)
    assert KERNEL_NAME in listed, listed
    assert Path(listed[KERNEL_NAME]["resource_dir"]) == spec_dir(lab_env)
    # the real user's Jupyter was not touched: everything went to the private data directory
    assert str(spec_dir(lab_env)).startswith(lab_env["HOME"])


def test_a_second_run_reuses_what_is_there(lab_env, installed):
    proc = run_script(START, "--install-only", env=lab_env, timeout=300)
    assert proc.returncode == 0, describe(proc)
    assert "kernel already built" in proc.stdout and f"using the lab's JupyterLab in {LAB_VENV}" in proc.stdout, describe(proc)
    assert "installing JupyterLab" not in proc.stdout


def test_server_answers_with_the_kernel_and_the_lessons(server_factory, lab_env):
    server = server_factory()
    specs = server.get("/api/kernelspecs")
    assert KERNEL_NAME in specs["kernelspecs"], specs
    assert specs["kernelspecs"][KERNEL_NAME]["spec"]["display_name"] == DISPLAY_NAME
    # JupyterLab (not the classic Notebook) was started, on notebooks/
    log = server.log()
    assert "jupyterlab" in log.lower(), log
    names = {item["name"] for item in server.get("/api/contents")["content"]}
    assert "05-socket-wordcount.ipynb" in names, names
    # it listens on loopback only
    addresses = listening_addresses(server.port)
    assert addresses, f"nothing listens on port {server.port}"
    for a in addresses:
        mapped = getattr(a, "ipv4_mapped", None)
        assert a.is_loopback or (mapped is not None and mapped.is_loopback), f"the server listens on {a}"


def listening_addresses(port: int) -> list:
    """The local addresses of the sockets listening on port (from /proc/net/tcp*, Linux)."""
    import ipaddress

    if not Path("/proc/net/tcp").exists():
        pytest.skip("needs /proc/net/tcp (Linux)")
    found = []
    for table, width in (("/proc/net/tcp", 8), ("/proc/net/tcp6", 32)):
        try:
            lines = Path(table).read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            fields = line.split()
            local, state = fields[1], fields[3]
            host, hexport = local.split(":")
            if state != "0A" or int(hexport, 16) != port:
                continue
            raw = bytes.fromhex(host)
            # the kernel writes each 32-bit word in host (little-endian) order
            raw = b"".join(raw[i:i + 4][::-1] for i in range(0, len(raw), 4))
            found.append(ipaddress.ip_address(raw))
    return found


def test_a_notebook_runs_through_the_server(server_factory, tmp_path):
    work = tmp_path / "notebooks"
    work.mkdir()
    nb = nbformat.v4.new_notebook(metadata={"kernelspec": {"name": KERNEL_NAME, "display_name": DISPLAY_NAME,
                                                           "language": "java"}})
    nb.cells = [
        nbformat.v4.new_markdown_cell("A notebook a student could write."),
        nbformat.v4.new_code_cell("int answer = 6 * 7;\nanswer"),
        nbformat.v4.new_code_cell("spark.range(1, 6).selectExpr(\"sum(id) AS total\").first().getLong(0)"),
        nbformat.v4.new_code_cell("%%sql\nSELECT 'install' AS checked, 2 + 2 AS four"),
    ]
    nbformat.write(nb, work / "install-check.ipynb")
    server = server_factory("--notebook-dir", str(work))

    session = server.call("POST", "/api/sessions", {"path": "install-check.ipynb", "type": "notebook",
                                                    "name": "install-check.ipynb",
                                                    "kernel": {"name": KERNEL_NAME}})
    kernel_id = session["kernel"]["id"]
    pids = [pid for pid, _ in processes_with_arg(f"kernel-{kernel_id}.json")]
    try:
        run_notebook(server, kernel_id, nb)
    finally:
        server.call("DELETE", f"/api/sessions/{session['id']}")
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert plain(code[0]).strip() == "42"
    assert plain(code[1]).strip() == "15"
    assert "<table" in html(code[2]) and "install" in html(code[2]) and ">4<" in html(code[2]).replace(" ", "")
    nbformat.validate(nb)
    nbformat.write(nb, work / "install-check.ipynb")

    # deleting the session shut the kernel down: its JVM is gone
    assert pids, "the kernel's process was not found by its connection file"
    for pid in pids:
        assert wait_pid_gone(pid, 60), f"kernel process {pid} still running after its session was deleted"
    assert not [k for k in server.get("/api/kernels") if k["id"] == kernel_id]


def test_uninstall_removes_the_kernelspec(lab_env, installed, tmp_path):
    assert spec_dir(lab_env).is_dir()
    # --venv on a stand-in environment (the real one stays for the next run)
    stand_in = tmp_path / "venv-lab"
    (stand_in / "bin").mkdir(parents=True)
    env = dict(lab_env, SPARK_LAB_VENV=str(stand_in))
    proc = run_script(UNINSTALL, "--venv", env=env, timeout=120)
    assert proc.returncode == 0, describe(proc)
    assert not spec_dir(lab_env).exists(), describe(proc)
    assert not stand_in.exists(), describe(proc)
    assert KERNEL_NAME not in kernelspecs_listed(lab_env)
    # a second uninstall has nothing to do and says so
    proc = run_script(UNINSTALL, env=env, timeout=120)
    assert proc.returncode == 0 and "nothing to remove" in proc.stdout, describe(proc)
    # the lab's own JupyterLab was left alone
    assert (LAB_VENV / "bin" / "jupyter").exists()


def test_the_image_steps_in_the_image_layout(lab_env, installed, tmp_path):
    """What binder/Dockerfile's last stage runs, in its layout: the jars and their libraries without
    pom.xml or sources (nothing to rebuild, no Maven), the lessons elsewhere, the kernelspec in the
    Jupyter environment (--sys-prefix). Then uninstall-lab.sh --sys-prefix takes it out again."""
    lab = tmp_path / "opt-spark-streaming-lab"
    for module, jar in (("kernel", "spark-streaming-lab-kernel.jar"), ("broker", "spark-streaming-lab-broker.jar")):
        target = ROOT / module / "target"
        if not (target / jar).exists():
            continue
        (lab / module / "target").mkdir(parents=True)
        shutil.copy2(target / jar, lab / module / "target" / jar)
        (lab / module / "target" / "lib").symlink_to(target / "lib")
    shutil.copytree(ROOT / "install", lab / "install")
    home = tmp_path / "home-jovyan"
    home.mkdir()
    env = dict(lab_env, PATH=str(LAB_VENV / "bin") + os.pathsep + lab_env["PATH"])
    spec = LAB_VENV / "share" / "jupyter" / "kernels" / KERNEL_NAME
    try:
        proc = subprocess.run(["bash", str(lab / "install" / "start-lab.sh"), "--install-only", "--lab-venv", "--sys-prefix"],
                              env=env, capture_output=True, text=True, timeout=300, cwd=str(home), stdin=subprocess.DEVNULL)
        assert proc.returncode == 0, describe(proc)
        assert "kernel already built" in proc.stdout and "building" not in proc.stdout, describe(proc)
        argv = json.loads((spec / "kernel.json").read_text())["argv"]
        assert argv[argv.index("-jar") + 1] == str(lab / "kernel" / "target" / "spark-streaming-lab-kernel.jar")
        assert KERNEL_NAME in kernelspecs_listed(lab_env)
        proc = subprocess.run(["bash", str(lab / "install" / "uninstall-lab.sh"), "--sys-prefix"], env=env,
                              capture_output=True, text=True, timeout=120, stdin=subprocess.DEVNULL)
        assert proc.returncode == 0 and not spec.exists(), describe(proc)
    finally:
        shutil.rmtree(spec, ignore_errors=True)
