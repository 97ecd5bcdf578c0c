"""Fixtures of the fault suite (helpers are in faultharness.py).

* fault_lab  - one kernel for the whole fault suite with what a lesson runs beside it: Spark ready, the
               socket server (%socket start) and the embedded broker (%kafka start), in a lab home of
               its own. The bad-input and loopback tests share it; it must survive every one of them.
               Package scope: it stops when the fault suite is done, not at the end of the session.
* record     - record(kind, what, number, unit, step=None): one fact of this run (a fault tried, what was
               lost, a recovery time) for docs/reliability.md. Record what was measured before asserting
               on it, so a failing run's results say what went wrong.

The restart and SIGKILL tests start kernels of their own.

A run of the whole fault suite writes its facts, its size, the machine and its load to
tests/faults/results/<date>.json and renders docs/reliability.md from it (a failed test is named there)
(reliability_report.py). A part of the suite (-k, a file, a test id, -x stopping early) writes nothing.
LAB_FAULT_REPORT=0 turns the writing off.
"""

from __future__ import annotations

import json
import os
import platform
import re
import subprocess
import time
from datetime import datetime
from pathlib import Path

import pytest

from faults import reliability_report as report
from faults.faultharness import (
    BROKER_JAR, broker_pids, find_free_port, find_free_port_pair, start_lab_kernel, stop_kernel_and_brokers,
)
from labharness import java_executable

HERE = Path(__file__).resolve().parent
RUN = pytest.StashKey["FaultRun"]()


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


# --------------------------------------------------------------------------
# the run's facts, for docs/reliability.md
# --------------------------------------------------------------------------


class FaultRun:
    """What one pytest session learnt from the fault suite: facts, outcomes, and whether all of it ran."""

    def __init__(self) -> None:
        self.started = time.time()
        self.load_start = [round(x, 2) for x in os.getloadavg()]
        self.facts: list[dict] = []
        self.items: list[str] = []
        self.outcomes: dict[str, str] = {}
        self.partial: list[str] = []  # why this run is not the whole suite

    def add(self, kind: str, what: str, number: float, unit: str, step: int | None, test: str) -> None:
        self.facts.append({"kind": kind, "what": what, "number": number, "unit": unit, "step": step, "test": test})

    def whole_suite(self) -> bool:
        modules = {p.name for p in HERE.glob("test_*.py")}
        ran = {nodeid.split("::")[0].rsplit("/", 1)[-1] for nodeid in self.items}
        if modules - ran:
            self.partial.append(f"not collected: {sorted(modules - ran)}")
        not_run = [n for n in self.items if n not in self.outcomes]
        if not_run:
            self.partial.append(f"{len(not_run)} tests did not run")
        return not self.partial


def _run(config) -> FaultRun:
    return config.stash.setdefault(RUN, FaultRun())


def _in_suite(nodeid: str) -> bool:
    return nodeid.startswith("tests/faults/")


@pytest.fixture
def record(request):
    """record(kind, what, number, unit, step=None); kinds in reliability_report (fault, bad input, lost...)."""
    run = _run(request.config)

    def record(kind: str, what: str, number: float, unit: str, step: int | None = None) -> None:
        assert kind in (report.FAULT, report.BAD_INPUT, report.LOST, report.RECOVERY, report.MEASURED,
                        report.CHECKED, report.RESTART), kind
        run.add(kind, what, float(number) if unit in report.MEASURES else int(number), unit, step,
                request.node.nodeid)

    return record


def pytest_collection_finish(session):
    run = _run(session.config)
    run.items = [item.nodeid for item in session.items if _in_suite(item.nodeid)]
    if any("::" in str(arg) and "faults" in str(arg) for arg in session.config.args):
        run.partial.append("test ids were named")


def pytest_deselected(items):
    if items and any(_in_suite(item.nodeid) for item in items):
        _run(items[0].config).partial.append("some tests were deselected")


def _note_outcome(run: FaultRun, rep) -> None:
    if rep.when == "call" or rep.skipped or rep.failed:
        earlier = run.outcomes.get(rep.nodeid)
        if earlier != "failed":  # a failed teardown after a passed call is a failure
            run.outcomes[rep.nodeid] = "failed" if rep.failed else "skipped" if rep.skipped else "passed"


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    if _in_suite(item.nodeid):
        _note_outcome(_run(item.config), outcome.get_result())


def machine() -> dict:
    info: dict = {"cores": os.cpu_count(), "platform": platform.platform()}
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                info["cpu"] = line.split(":", 1)[1].strip()
                break
        for line in open("/proc/meminfo"):
            if line.startswith("MemTotal:"):
                info["memory_gb"] = round(int(line.split()[1]) / 1024 / 1024)
    except OSError:
        pass
    try:
        version = subprocess.run([java_executable(), "-version"], capture_output=True, text=True, timeout=30)
        info["java"] = version.stderr.splitlines()[0].replace('"', "")
    except Exception:  # noqa: BLE001  (the page says "?" then)
        pass
    pom = (report.ROOT / "pom.xml").read_text()
    found = re.search(r"<spark.version>([^<]+)</spark.version>", pom)
    info["spark"] = found.group(1) if found else "?"
    return info


def pytest_sessionfinish(session, exitstatus):
    run = session.config.stash.get(RUN, None)
    if run is None or not run.items or os.environ.get("LAB_FAULT_REPORT") == "0":
        return
    if not run.whole_suite():
        print(f"\nfault suite: not the whole suite ({'; '.join(run.partial)}): docs/reliability.md not written")
        return
    outcomes = {n: run.outcomes[n] for n in run.items}
    counts = {k: sum(1 for o in outcomes.values() if o == k) for k in ("passed", "failed", "skipped")}
    now = datetime.now()
    results = {
        "date": now.strftime("%Y-%m-%d %H:%M"),
        "seconds": round(time.time() - run.started, 1),
        "size": {"ci": os.environ.get("CI") == "true",
                 "restarts": int(os.environ.get("LAB_FAULT_RESTARTS", "2"))},
        "machine": machine(),
        "load": {"start": run.load_start, "end": [round(x, 2) for x in os.getloadavg()]},
        "tests": {"total": len(outcomes), **counts, "outcomes": outcomes},
        "facts": run.facts,
    }
    report.RESULTS.mkdir(exist_ok=True)
    path = report.RESULTS / (now.strftime("%Y%m%d-%H%M") + ("-ci" if results["size"]["ci"] else "") + ".json")
    path.write_text(json.dumps(results, indent=1) + "\n")
    print(f"\nfault suite: results in {path.relative_to(report.ROOT)}")
    page, missing = report.write(path)
    print(f"fault suite: wrote {page.relative_to(report.ROOT)}"
          + (f"; facts the template names but nobody recorded: {missing}" if missing else ""))
