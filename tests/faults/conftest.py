"""Fixtures of the fault suite (helpers are in faultharness.py).

* fault_lab  - one kernel for the whole fault suite with what a lesson runs beside it: Spark ready, the
               socket server (%socket start) and the embedded broker (%kafka start), in a lab home of
               its own. The bad-input and loopback tests share it; it must survive every one of them.
               Package scope: it stops when the fault suite is done, not at the end of the session.

The restart and SIGKILL tests start kernels of their own.
"""

from __future__ import annotations

import pytest

from faults.faultharness import (
    BROKER_JAR, broker_pids, find_free_port, find_free_port_pair, start_lab_kernel, stop_kernel_and_brokers,
)


@pytest.fixture(scope="package")
def fault_lab(kernel_name, broker_jar, log_dir, tmp_path_factory):
    home = tmp_path_factory.mktemp("fault-lab-home")
    kernel = start_lab_kernel(kernel_name, log_dir / "fault-lab-kernel.log", home, find_free_port_pair(31092))
    try:
        kernel.ensure_spark()
        kernel.socket_port = find_free_port(41000)
        kernel.ok(f"%socket start {kernel.socket_port}")
        started = kernel.ok("%kafka start", timeout=240)
        assert "started at" in started.text, started.describe()
        assert len(broker_pids(home)) == 1
        yield kernel
    finally:
        stop_kernel_and_brokers(kernel, home)
    # faults or not, every cell's messages followed protocol 5.3 (no output after its status idle)
    assert not kernel.protocol_problems, "protocol 5.3 violations on the fault lab:\n" + kernel.protocol_report()


@pytest.fixture(scope="session")
def broker_jar():
    if not BROKER_JAR.is_file():
        pytest.fail(f"broker jar not found: {BROKER_JAR}\nBuild it with `mvn -B -q package -DskipTests`.", pytrace=False)
    return BROKER_JAR
