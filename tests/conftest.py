"""Fixtures for the Spark Streaming Lab kernel tests.

* kernel_jar        - the built runnable jar (CI builds it before pytest runs)
* kernel_name       - name of a kernelspec installed into a temporary prefix;
                      JUPYTER_PATH points there so jupyter_client finds it
* kernel            - one kernel shared by the whole session (a kernel start
                      costs a SparkSession, and CI has 2 cores)
* spark_kernel      - the shared kernel after its first Spark job finished
* kernel_factory    - starts fresh kernels (interrupt / shutdown / restart
                      tests) and makes sure they are gone afterwards
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from labharness import JAR, TEST_KERNEL_NAME, LabKernel, pid_alive, processes_with_arg, run_installer

@pytest.fixture(scope="session")
def kernel_jar() -> Path:
    if not JAR.is_file():
        pytest.fail(
            f"kernel jar not found: {JAR}\n"
            "Build it first with `mvn -B -q package -DskipTests` in the repository root "
            "(./test.sh and .ci/run do that before running pytest).",
            pytrace=False,
        )
    return JAR


@pytest.fixture(scope="session")
def log_dir(tmp_path_factory) -> Path:
    path = Path(os.environ.get("LAB_TEST_LOG_DIR") or tmp_path_factory.mktemp("kernel-logs"))
    path.mkdir(parents=True, exist_ok=True)
    return path


@pytest.fixture(scope="session")
def kernelspec_prefix(kernel_jar, tmp_path_factory) -> Path:
    prefix = tmp_path_factory.mktemp("jupyter-prefix")
    proc = run_installer("--prefix", str(prefix), "--name", TEST_KERNEL_NAME)
    if proc.returncode != 0:
        pytest.fail(
            f"`java -jar {kernel_jar.name} install --prefix {prefix} --name {TEST_KERNEL_NAME}` "
            f"exited {proc.returncode}\nstdout:\n{proc.stdout}\nstderr:\n{proc.stderr}",
            pytrace=False,
        )
    spec = prefix / "share" / "jupyter" / "kernels" / TEST_KERNEL_NAME / "kernel.json"
    if not spec.is_file():
        pytest.fail(f"installer succeeded but wrote no {spec}", pytrace=False)
    data_dir = str(prefix / "share" / "jupyter")
    old = os.environ.get("JUPYTER_PATH")
    os.environ["JUPYTER_PATH"] = data_dir + (os.pathsep + old if old else "")
    yield prefix
    if old is None:
        os.environ.pop("JUPYTER_PATH", None)
    else:
        os.environ["JUPYTER_PATH"] = old


@pytest.fixture(scope="session")
def kernel_name(kernelspec_prefix) -> str:
    return TEST_KERNEL_NAME


@pytest.fixture(scope="session")
def kernel(kernel_name, log_dir):
    k = LabKernel(kernel_name, log_dir / "shared-kernel.log")
    try:
        k.start()
    except BaseException:
        k.stop()
        raise
    yield k
    k.stop()
    # every cell any test ran on the shared kernel was checked against protocol 5.3
    assert not k.protocol_problems, "protocol 5.3 violations seen during the session:\n" + k.protocol_report()


@pytest.fixture(scope="session")
def spark_kernel(kernel) -> LabKernel:
    kernel.ensure_spark()
    return kernel


@pytest.fixture
def kernel_factory(kernel_name, log_dir, request):
    """Start fresh kernels; every one is shut down (or killed) at teardown."""
    started: list[LabKernel] = []

    def start(label: str = "fresh") -> LabKernel:
        safe = "".join(c if c.isalnum() else "-" for c in f"{request.node.name}-{label}")
        k = LabKernel(kernel_name, log_dir / f"{safe}-{len(started)}.log")
        started.append(k)
        k.start()
        return k

    yield start
    for k in started:
        pid = k.pid
        k.stop()
        if pid is not None:
            assert not pid_alive(pid), f"kernel process {pid} still alive after teardown"


@pytest.fixture(scope="session", autouse=True)
def runtime_dir(tmp_path_factory):
    """Connection files of every kernel this session starts go to a private directory,
    so leftovers are recognisable: their argv names a file in it. When the session
    ends, none of them may still be running (the ones found are ended and reported)."""
    path = tmp_path_factory.mktemp("jupyter-runtime")
    old = os.environ.get("JUPYTER_RUNTIME_DIR")
    os.environ["JUPYTER_RUNTIME_DIR"] = str(path)
    yield path
    if old is None:
        os.environ.pop("JUPYTER_RUNTIME_DIR", None)
    else:
        os.environ["JUPYTER_RUNTIME_DIR"] = old
    leftovers = processes_with_arg(str(path))
    for pid, _ in leftovers:
        try:
            os.kill(pid, 9)
        except OSError:
            pass
    assert not leftovers, f"kernel processes left running after the test session: {leftovers}"
