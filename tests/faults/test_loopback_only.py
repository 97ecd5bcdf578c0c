"""Every server the lab starts listens on 127.0.0.1 only: the kernel's Jupyter channels, the socket
server, the embedded broker, Spark's own ports and UI. Found from the kernel JVM's and its children's
sockets in /proc, not from what the lab says about itself."""

from __future__ import annotations

import json

import pytest

from faults.faultharness import Listener, broker_pids, listeners_of


def _all_listeners(lab) -> list[Listener]:
    found = listeners_of(lab.pid)
    assert found, "the kernel listens on nothing? (no sockets found in /proc)"
    return found


def _jupyter_ports(lab) -> set[int]:
    with open(lab.connection_file) as f:
        info = json.load(f)
    return {info[k] for k in ("shell_port", "iopub_port", "stdin_port", "control_port", "hb_port")}


def _ui_port(lab) -> int:
    url = lab.value('spark.sparkContext().uiWebUrl().isDefined() ? spark.sparkContext().uiWebUrl().get() : "none"')
    assert url != '"none"' and url != "none", "the Spark UI is off: nothing to check"
    return int(url.strip('"').rsplit(":", 1)[1].rstrip("/"))


def _ports_of(lab, what: str) -> set[int]:
    if what == "jupyter channels":
        return _jupyter_ports(lab)
    if what == "socket server":
        return {lab.socket_port}
    if what == "embedded broker":
        return {lab.kafka_port, lab.kafka_port + 1}
    if what == "spark ui":
        return {_ui_port(lab)}
    raise AssertionError(what)


@pytest.mark.parametrize("what", [
    "jupyter channels",
    "socket server",
    "embedded broker",
    "spark ui",
])
def test_server_listens_on_loopback_only(fault_lab, record, what):
    ports = _ports_of(fault_lab, what)
    listeners = [l for l in _all_listeners(fault_lab) if l.port in ports]
    assert {l.port for l in listeners} == ports, f"{what}: expected listeners on {sorted(ports)}, found {listeners}"
    if what == "embedded broker":
        assert {l.pid for l in listeners} == set(broker_pids(fault_lab.lab_home))
    exposed = [l for l in listeners if not l.loopback]
    record("checked", f"listening sockets: {what}", len(listeners), "sockets")
    record("checked", f"listening sockets beyond 127.0.0.1: {what}", len(exposed), "sockets")
    assert not exposed, f"{what} listens beyond this machine: {exposed}"


def test_no_other_port_of_the_kernel_or_its_children_listens_beyond_loopback(fault_lab, record):
    """Spark's driver and block manager ports, the broker's internals, anything added later."""
    known = set()
    for what in ("jupyter channels", "socket server", "embedded broker", "spark ui"):
        known |= _ports_of(fault_lab, what)
    others = [l for l in _all_listeners(fault_lab) if l.port not in known]
    print("other listening ports:", others)
    exposed = [l for l in others if not l.loopback]
    record("checked", "listening sockets: the others (Spark's driver, block manager...)", len(others), "sockets")
    record("checked", "listening sockets beyond 127.0.0.1: the others", len(exposed), "sockets")
    assert not exposed, f"listening beyond this machine: {exposed}"
