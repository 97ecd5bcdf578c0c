"""Fixtures of the real-browser tests (headless Chromium driven by Playwright).

They stand on their own: nothing here needs tests/conftest.py.

* browser_prereqs - Playwright, Debian's Chromium and the kernel jar are there; missing
                    ones skip the browser tests on a developer's machine and fail them in
                    CI (CI=true), where .ci/run installs them
* jupyter_path    - the kernelspec installed into a temporary prefix (its share/jupyter)
* chromium        - one headless Chromium for the module, closed at the end
* lab_server      - starts Jupyter servers (python -m jupyterlab, 127.0.0.1, random port,
                    token); each is stopped with its kernels at teardown, and a kernel
                    process left behind fails the test
"""

from __future__ import annotations

import importlib.util
import os
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from browserharness import (  # noqa: E402
    CHROMIUM, CHROMIUM_ARGS, JAR, JupyterServer, in_ci, install_kernelspec,
)


def _missing_or_skip(what: str) -> None:
    message = f"{what} (see tests/browser/requirements.txt and the apt packages chromium, chromium-driver)"
    if in_ci():
        pytest.fail(message, pytrace=False)
    pytest.skip(message)


@pytest.fixture(scope="session")
def browser_prereqs() -> None:
    if importlib.util.find_spec("playwright") is None:
        _missing_or_skip("Playwright for Python is not installed")
    if not os.access(CHROMIUM, os.X_OK):
        _missing_or_skip(f"no Chromium at {CHROMIUM} (set LAB_CHROMIUM to use another one)")
    if importlib.util.find_spec("jupyterlab") is None:
        _missing_or_skip("JupyterLab is not installed")
    if not JAR.is_file():
        pytest.fail(f"kernel jar not found: {JAR}; build it with `mvn -B -q package -DskipTests`",
                    pytrace=False)


@pytest.fixture(scope="session")
def jupyter_path(browser_prereqs, tmp_path_factory) -> Path:
    return install_kernelspec(tmp_path_factory.mktemp("browser-kernelspec"))


@pytest.fixture(scope="module")
def chromium(browser_prereqs):
    from playwright.sync_api import sync_playwright

    pw = sync_playwright().start()
    try:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True,
                                     timeout=60_000)
    except BaseException:
        pw.stop()
        raise
    try:
        yield browser
    finally:
        try:
            browser.close()
        finally:
            pw.stop()


@pytest.fixture
def lab_server(jupyter_path, tmp_path):
    """lab_server(notebook_dir) -> a started JupyterServer; all of them stopped at teardown."""
    started: list[JupyterServer] = []

    def start(notebook_dir: Path) -> JupyterServer:
        sandbox = tmp_path / f"jupyter-{len(started)}"
        sandbox.mkdir()
        server = JupyterServer(sandbox, notebook_dir, jupyter_path)
        started.append(server)
        return server.start()

    yield start
    leftovers = []
    for server in started:
        leftovers += server.stop()
    assert not leftovers, f"kernel processes outlived their Jupyter server (killed now): {leftovers}"
