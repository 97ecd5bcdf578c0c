"""The kernel as the Binder image runs it: its JVM sees a 2 GB container (-XX:MaxRAM, the number the JVM
also reads from a cgroup limit), Jupyter serves the Spark UI through jupyter-server-proxy
(SPARK_LAB_UI_PROXY, as binder/Dockerfile sets it) under a hub's prefix (JUPYTERHUB_SERVICE_PREFIX).

* the heap the kernelspec's policy gives on 2 GB is the documented 40 %, and Spark runs in it;
* %spark links the Spark UI through the proxy, at the port the UI really has;
* SPARK_LAB_DRIVER_HOST names the driver for executors (spark.driver.host) while it listens on loopback;
* every port the kernel's JVM listens on (Jupyter's channels, Spark's RPC, block manager and UI, a
  %socket server) is on loopback: Spark's UI would listen on every address by default.

One kernel for the module: it costs a JVM and a SparkSession.
"""

from __future__ import annotations

import ipaddress
import json
import os
import re
import shutil
import socket
from pathlib import Path

import pytest

from labharness import LabKernel, TEST_KERNEL_NAME, html_text, pid_alive

CONTAINER_RAM_MB = 2048
HEAP_PERCENT = 40  # LabSettings.HEAP_PERCENT_OF_MEMORY
HUB_PREFIX = "/user/ada-lovelace/"
PROXY_TEMPLATE = "{base}proxy/{port}/jobs/"  # binder/Dockerfile's SPARK_LAB_UI_PROXY
BINDER_KERNEL = TEST_KERNEL_NAME + "-binder"
DRIVER_HOST = "localhost"


@pytest.fixture(scope="module")
def binder_kernel(kernelspec_prefix, log_dir, tmp_path_factory):
    if os.environ.get("SPARK_LOCAL_IP"):
        pytest.skip("SPARK_LOCAL_IP is set in this environment: it chooses the Spark UI's address")
    kernels = kernelspec_prefix / "share" / "jupyter" / "kernels"
    spec = json.loads((kernels / TEST_KERNEL_NAME / "kernel.json").read_text())
    argv = spec["argv"]
    assert f"-XX:MaxRAMPercentage={HEAP_PERCENT}" in argv, f"the kernelspec's heap policy changed: {argv}"
    # the JVM sees a 2 GB machine, as in Binder's container
    argv.insert(argv.index("-jar"), f"-XX:MaxRAM={CONTAINER_RAM_MB}m")
    spec["env"] = {"SPARK_LAB_UI_PROXY": PROXY_TEMPLATE, "JUPYTERHUB_SERVICE_PREFIX": HUB_PREFIX,
                   # the name executors would use to reach the driver (docker/compose.yml gives "lab")
                   "SPARK_LAB_DRIVER_HOST": DRIVER_HOST,
                   "SPARK_LAB_HOME": str(tmp_path_factory.mktemp("binder-lab-home"))}
    (kernels / BINDER_KERNEL).mkdir()
    (kernels / BINDER_KERNEL / "kernel.json").write_text(json.dumps(spec))
    k = LabKernel(BINDER_KERNEL, log_dir / "binder-kernel.log")
    try:
        k.start()
        k.ensure_spark()
        yield k
    finally:
        pid = k.pid
        k.stop()
        shutil.rmtree(kernels / BINDER_KERNEL, ignore_errors=True)
        assert pid is None or not pid_alive(pid), f"kernel process {pid} still alive after teardown"


def test_the_heap_on_2_gb_is_the_documented_share_and_spark_runs(binder_kernel):
    heap_mb = int(binder_kernel.value("Runtime.getRuntime().maxMemory() >> 20"))
    expected = CONTAINER_RAM_MB * HEAP_PERCENT / 100
    # the JVM rounds to its heap region size and keeps a survivor space out of maxMemory()
    assert expected * 0.9 <= heap_mb <= expected * 1.01, f"heap {heap_mb} MB on {CONTAINER_RAM_MB} MB"
    assert heap_mb >= 450, "below what Spark needs to start"
    assert binder_kernel.value("spark.range(0, 1000000).selectExpr(\"sum(id)\").first().getLong(0)") == "499999500000"


def test_spark_magic_links_the_ui_through_the_proxy(binder_kernel):
    port = binder_kernel.value('spark.sparkContext().uiWebUrl().get().replaceAll(".*:", "")')
    assert port.isdigit(), port
    res = binder_kernel.ok("%spark")
    link = f"{HUB_PREFIX}proxy/{port}/jobs/"
    text = res.text
    assert re.search(r"Spark UI\s+" + re.escape(link) + r"\s", text + "\n"), res.describe()
    assert "http://" not in text.split("Spark UI", 1)[1].splitlines()[0], text
    html = "".join(d["text/html"] for d in [res.result] if d and "text/html" in d)
    assert f'href="{link}"' in html, html
    assert re.search(r"driver heap\s+\d+ MB", html_text(html) + "\n" + text), text


def test_the_driver_is_known_by_the_configured_name_and_still_listens_on_loopback(binder_kernel):
    assert binder_kernel.value('spark.sparkContext().getConf().get("spark.driver.host")') == DRIVER_HOST
    assert binder_kernel.value('spark.sparkContext().getConf().get("spark.driver.bindAddress")') == "127.0.0.1"


def listening_sockets(pid: int) -> list[tuple[ipaddress._BaseAddress, int]]:
    """(address, port) of every TCP socket process pid listens on: its socket inodes (/proc/PID/fd)
    matched against the LISTEN rows of /proc/PID/net/tcp and tcp6 (Linux)."""
    inodes = set()
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        try:
            target = os.readlink(fd)
        except OSError:
            continue
        m = re.fullmatch(r"socket:\[(\d+)\]", target)
        if m:
            inodes.add(m.group(1))
    found = []
    for table in ("tcp", "tcp6"):
        path = Path(f"/proc/{pid}/net/{table}")
        if not path.exists():
            continue
        for line in path.read_text().splitlines()[1:]:
            fields = line.split()
            local, state, inode = fields[1], fields[3], fields[9]
            if state != "0A" or inode not in inodes:  # 0A: LISTEN
                continue
            host, port = local.split(":")
            raw = bytes.fromhex(host)
            raw = b"".join(raw[i:i + 4][::-1] for i in range(0, len(raw), 4))  # 32-bit words in host order
            found.append((ipaddress.ip_address(raw), int(port, 16)))
    return found


def is_loopback(address) -> bool:
    mapped = getattr(address, "ipv4_mapped", None)
    return address.is_loopback or (mapped is not None and mapped.is_loopback)


def test_every_port_the_kernel_listens_on_is_loopback(binder_kernel):
    if not Path("/proc/self/net/tcp").exists():
        pytest.skip("needs /proc (Linux)")
    k = binder_kernel
    ui_port = int(k.value('spark.sparkContext().uiWebUrl().get().replaceAll(".*:", "")'))
    with socket.socket() as s:  # a free port for a %socket server
        s.bind(("127.0.0.1", 0))
        socket_port = s.getsockname()[1]
    k.ok(f"%socket start {socket_port}")
    try:
        sockets = listening_sockets(k.pid)
        ports = {port for _, port in sockets}
        assert ui_port in ports, f"the Spark UI's port {ui_port} is not among the kernel's {sorted(ports)}"
        assert socket_port in ports, f"the %socket server's port {socket_port} is not among {sorted(ports)}"
        connection = json.loads(Path(k.connection_file).read_text())
        for channel in ("shell_port", "iopub_port", "stdin_port", "control_port", "hb_port"):
            assert connection[channel] in ports, f"{channel} {connection[channel]} not found in {sorted(ports)}"
        # Jupyter's 5 channels, the UI, Spark's RPC and block manager, the %socket server
        assert len(sockets) >= 9, sockets
        open_to_all = [f"{a}:{p}" for a, p in sockets if not is_loopback(a)]
        assert not open_to_all, f"the kernel listens beyond loopback on {open_to_all} (the UI is {ui_port})"
    finally:
        k.ok(f"%socket stop {socket_port}")
