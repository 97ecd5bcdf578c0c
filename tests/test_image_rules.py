"""The lab's image, checked without a Docker engine (none runs on our machines or in CI):

* dockerfile-utils (npm, pinned in docker/package.json) lints binder/Dockerfile, the image's only
  Dockerfile (mybinder.org and docker/compose.yml build it);
* tools/check-binder-rules holds for it (tagged base, uid 1000 user jovyan, not root at run time,
  no ENTRYPOINT that swallows Binder's command, `jupyter` on PATH, lessons in $HOME, the kernel
  installed by install/start-lab.sh, no second Dockerfile to drift), and it does catch each broken rule;
* everything the Dockerfile copies exists, and the install flags it uses are ones the script knows;
* docker/compose.yml: the lab on a real Kafka (apache/kafka, KRaft) of the pom's Kafka version, and in
  the profile "spark" a standalone master and worker of the pom's Spark version on Java 17, the lab
  pointed at them through KAFKA_BOOTSTRAP_SERVERS and SPARK_MASTER; ports on 127.0.0.1 only.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from labharness import ROOT

DOCKER = ROOT / "docker"
DOCKERFILE = ROOT / "binder" / "Dockerfile"
CHECKER = ROOT / "tools" / "check-binder-rules"


def pom_property(name: str) -> str:
    m = re.search(rf"<{re.escape(name)}>([^<]+)</{re.escape(name)}>", (ROOT / "pom.xml").read_text())
    assert m, f"pom.xml has no <{name}>"
    return m.group(1).strip()


# --------------------------------------------------------------------------------------------------
# dockerfile-utils
# --------------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def dockerfile_utils() -> Path:
    tool = DOCKER / "node_modules" / ".bin" / "dockerfile-utils"
    if not tool.exists():
        npm = shutil.which("npm")
        if npm is None:
            message = "npm is needed for the Dockerfile lint (apt-get install nodejs npm)"
            if os.environ.get("CI"):
                pytest.fail(message, pytrace=False)
            pytest.skip(message)
        proc = subprocess.run([npm, "ci", "--no-audit", "--no-fund", "--prefix", str(DOCKER)],
                              capture_output=True, text=True, timeout=600)
        assert proc.returncode == 0, f"npm ci in docker/ failed:\n{proc.stdout}\n{proc.stderr}"
    assert tool.exists()
    return tool


def test_dockerfile_lint_is_clean(dockerfile_utils):
    proc = subprocess.run([str(dockerfile_utils), "lint", str(DOCKERFILE)], capture_output=True, text=True, timeout=120)
    report = (proc.stdout + proc.stderr).strip()
    assert proc.returncode == 0 and not report, f"dockerfile-utils lint binder/Dockerfile:\n{report}"


def test_the_linter_does_report_problems(dockerfile_utils, tmp_path):
    bad = tmp_path / "Dockerfile"
    bad.write_text("FROM python:3.11-slim-bookworm\nEXPOSE eighty\nCOPY --chownn=1 a b\n")
    proc = subprocess.run([str(dockerfile_utils), "lint", str(bad)], capture_output=True, text=True, timeout=120)
    assert proc.returncode != 0 and "Invalid containerPort" in proc.stdout and "Unknown flag" in proc.stdout, proc.stdout


# --------------------------------------------------------------------------------------------------
# Binder's rules
# --------------------------------------------------------------------------------------------------


def run_checker(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(["python3", str(CHECKER), *args], capture_output=True, text=True, timeout=60)


def test_binder_rules_hold_for_the_repository():
    proc = run_checker()
    assert proc.returncode == 0, proc.stdout + proc.stderr
    for rule in ("one-file", "base-tag", "binder-args", "user-1000", "not-root", "entrypoint", "jupyter-path",
                 "home-lessons", "install"):
        assert f": {rule}: " in proc.stdout, f"rule {rule} was not checked:\n{proc.stdout}"
    assert "FAIL" not in proc.stdout


GOOD = DOCKERFILE.read_text()

BROKEN = {
    "base-tag": [("ARG BASE_IMAGE=python:3.11-slim-bookworm", "ARG BASE_IMAGE=python")],
    "base-tag:latest": [("ARG BASE_IMAGE=python:3.11-slim-bookworm", "ARG BASE_IMAGE=python:latest")],
    "binder-args": [("ARG NB_UID=1000", "ARG NB_UID=1001")],
    "user-1000": [("useradd --create-home --uid ${NB_UID}", "useradd --create-home")],
    "not-root": [('CMD ["jupyter"', 'USER root\nCMD ["jupyter"')],
    "entrypoint": [('ENTRYPOINT ["/usr/bin/tini", "--"]', "ENTRYPOINT jupyter lab")],
    "entrypoint:exec": [('ENTRYPOINT ["/usr/bin/tini", "--"]', 'ENTRYPOINT ["jupyter", "lab"]')],
    "jupyter-path": [(" && jupyter --version \\\n && jupyter kernelspec list \\\n && jupyter server extension list 2>&1 | grep -q jupyter_server_proxy",
                      "")],
    "home-lessons": [("COPY --chown=${NB_UID}:100 notebooks ${HOME}", "COPY notebooks /tmp/lessons")],
    "install": [("${LAB_DIR}/install/start-lab.sh --install-only --lab-venv --sys-prefix \\\n && ", "")],
}


@pytest.mark.parametrize("rule", sorted(BROKEN))
def test_the_checker_catches_a_broken_rule(rule, tmp_path):
    text = GOOD
    for old, new in BROKEN[rule]:
        assert old in text, f"the test's edit for {rule} no longer matches binder/Dockerfile: {old!r}"
        text = text.replace(old, new, 1)
    broken = tmp_path / "Dockerfile"
    broken.write_text(text)
    proc = run_checker(str(broken))
    name = rule.split(":")[0]
    assert proc.returncode == 1, f"{rule}: the checker passed a broken Dockerfile:\n{proc.stdout}"
    failed = [line for line in proc.stdout.splitlines() if line.startswith("FAIL")]
    assert any(f": {name}: " in line for line in failed), f"{rule} was not the rule reported broken:\n{proc.stdout}"


@pytest.mark.parametrize("intruder", ["docker/Dockerfile", "binder/environment.yml"])
def test_the_checker_catches_a_second_dockerfile_or_a_binder_extra(intruder, tmp_path):
    """A copy of the Dockerfile in docker/ would drift from what mybinder.org builds; another file in
    binder/ would be read by repo2docker: both are refused (in a copy of the repository's layout)."""
    (tmp_path / "tools").mkdir()
    shutil.copy2(CHECKER, tmp_path / "tools" / CHECKER.name)
    (tmp_path / "binder").mkdir()
    shutil.copy2(DOCKERFILE, tmp_path / "binder" / "Dockerfile")
    proc = subprocess.run(["python3", str(tmp_path / "tools" / CHECKER.name)], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0 and "one-file: the image's only Dockerfile" in proc.stdout, proc.stdout
    (tmp_path / intruder).parent.mkdir(exist_ok=True)
    (tmp_path / intruder).write_text(GOOD)
    proc = subprocess.run(["python3", str(tmp_path / "tools" / CHECKER.name)], capture_output=True, text=True, timeout=60)
    failed = [line for line in proc.stdout.splitlines() if line.startswith("FAIL")]
    assert proc.returncode == 1 and failed and all(": one-file: " in line for line in failed), proc.stdout
    assert Path(intruder).name in failed[0]


# --------------------------------------------------------------------------------------------------
# what the Dockerfile uses exists
# --------------------------------------------------------------------------------------------------


def copy_sources(text: str) -> list[str]:
    sources = []
    for line in re.sub(r"\\\n", " ", text).splitlines():
        words = line.split()
        if words and words[0] == "COPY" and not any(w.startswith("--from=") for w in words):
            rest = [w for w in words[1:] if not w.startswith("--")]
            sources += rest[:-1]
    return sources


def test_everything_the_dockerfile_copies_exists():
    sources = copy_sources(GOOD)
    assert "notebooks" in sources and "install" in sources
    for src in sources:
        assert (ROOT / src).exists(), f"binder/Dockerfile copies {src}, which is not in the repository"
    json.loads((DOCKER / "jupyter_server_config.json").read_text())
    reqs = (DOCKER / "requirements-image.txt").read_text()
    for package in ("notebook", "jupyterhub", "jupyter-server-proxy"):
        assert re.search(rf"^{package}\b", reqs, re.M), f"docker/requirements-image.txt lacks {package}"


def test_the_install_flags_the_image_uses_are_known_to_the_script():
    help_text = subprocess.run(["bash", str(ROOT / "install" / "start-lab.sh"), "--help"], capture_output=True,
                               text=True, timeout=60).stdout
    used = set(re.findall(r"start-lab\.sh((?: --[a-z-]+)+)", GOOD))
    flags = {f for group in used for f in group.split()}
    assert flags >= {"--build-only", "--install-only", "--sys-prefix", "--lab-venv"}, flags
    for flag in flags:
        assert flag in help_text, f"the Dockerfile uses start-lab.sh {flag}, which --help does not know"


def test_the_spark_ui_tile_points_at_the_kernel_ui_port():
    config = json.loads((DOCKER / "jupyter_server_config.json").read_text())
    ui = config["ServerProxy"]["servers"]["spark-ui"]
    assert ui["port"] == 4040 and ui["absolute_url"] is False
    assert ui["launcher_entry"]["path_info"].endswith("/jobs/")  # Spark's root redirect ignores the proxy


# --------------------------------------------------------------------------------------------------
# docker/compose.yml
# --------------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def compose() -> dict:
    yaml = pytest.importorskip("yaml", reason="PyYAML (tests/requirements.txt) reads docker/compose.yml")
    return yaml.safe_load((DOCKER / "compose.yml").read_text())


def test_compose_has_the_lab_and_a_real_kafka(compose):
    services = compose["services"]
    lab, kafka = services["lab"], services["kafka"]
    assert lab["build"] == {"context": "..", "dockerfile": "binder/Dockerfile"}
    assert kafka["image"] == f"apache/kafka:{pom_property('kafka.version')}", "Kafka's image and kafka.version differ"
    env = kafka["environment"]
    assert "controller" in env["KAFKA_PROCESS_ROLES"] and "broker" in env["KAFKA_PROCESS_ROLES"], "KRaft, no ZooKeeper"
    advertised = env["KAFKA_ADVERTISED_LISTENERS"]
    assert lab["environment"]["KAFKA_BOOTSTRAP_SERVERS"] == "kafka:9092" and "PLAINTEXT://kafka:9092" in advertised
    assert lab["depends_on"]["kafka"]["condition"] == "service_healthy" and "healthcheck" in kafka
    assert "profiles" not in lab and "profiles" not in kafka


def test_compose_spark_profile_is_a_standalone_cluster_of_the_kernels_spark(compose):
    services = compose["services"]
    spark = pom_property("spark.version")
    master, worker = services["spark-master"], services["spark-worker"]
    for svc in (master, worker):
        assert svc["profiles"] == ["spark"]
        # same Spark, Scala 2.12, and Java 17: executors load classes JShell compiled for Java 17
        assert svc["image"] == f"apache/spark:{spark}-scala{pom_property('scala.binary.version')}-java17-ubuntu"
    assert "org.apache.spark.deploy.master.Master" in master["command"]
    assert "org.apache.spark.deploy.worker.Worker" in worker["command"]
    assert "spark://spark-master:7077" in worker["command"]
    # the worker shares the lab's home (lessons' data, checkpoints, state) as the lab's user
    assert worker["user"].split(":")[0] == "1000"
    assert "lab-home:/home/jovyan" in worker["volumes"] and "lab-home:/home/jovyan" in services["lab"]["volumes"]
    assert services["lab"]["environment"]["SPARK_MASTER"] == "${SPARK_MASTER:-local[*]}"

    cluster_env = dict(line.split("=", 1) for line in (DOCKER / "spark-cluster.env").read_text().splitlines()
                       if line and not line.startswith("#"))
    assert cluster_env["COMPOSE_PROFILES"] == "spark"
    assert cluster_env["SPARK_MASTER"] == "spark://spark-master:7077"
    assert cluster_env["SPARK_LAB_DRIVER_HOST"] == "lab" == services["lab"]["hostname"]


def test_compose_publishes_on_loopback_only(compose):
    for name, svc in compose["services"].items():
        for port in svc.get("ports", []):
            assert str(port).startswith("127.0.0.1:"), f"{name} publishes {port} on every address"
