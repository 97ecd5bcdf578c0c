"""The lab on every Java it claims besides the suite's own (17): Java 25, the long-term-support release a
student installing Java today gets.

Spark 3.5 brings Hadoop's client 3.3.4, whose `UserGroupInformation` calls `Subject.getSubject`, which
Java 23 and later refuse ("getSubject is not supported"): SparkContext did not start. The kernel brings
Hadoop's client 3.5.0, which uses the replacement API. The smoke run here is what a lesson needs: the
kernel starts on that Java, Spark runs a query whose lambda calls a method defined in a cell, a streaming
query writes a checkpoint (Hadoop's file system, where getSubject was called) and shows its live view, and
the embedded broker starts on that Java and Spark reads from it.

The JDK comes from LAB_TEST_JAVA25 (a java executable), else the usual install places. Machines without
one skip with the reason; the project's CI machines have Temurin 25 in /usr/lib/jvm.
"""

from __future__ import annotations

import glob
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from labharness import JAR, TEST_KERNEL_NAME, parse_tables

sys.path.insert(0, str(Path(__file__).resolve().parent / "kafka"))
from kafkaharness import (  # noqa: E402
    embedded_broker_round_trip, find_free_port_pair, spark_runs_a_cells_lambda, start_kernel_with_env,
    stop_kernel_and_brokers,
)

SPARK_TIMEOUT = float(os.environ.get("LAB_TEST_SPARK_TIMEOUT", "300"))
KAFKA_START_TIMEOUT = 180
JAVA25_PLACES = ("/usr/lib/jvm/temurin-25*/bin/java", "/usr/lib/jvm/java-25-openjdk*/bin/java")


def java_feature(java: str) -> int | None:
    out = subprocess.run([java, "-XshowSettings:properties", "-version"], capture_output=True, text=True,
                         timeout=60).stderr
    for line in out.splitlines():
        if "java.specification.version" in line:
            return int(line.split("=")[1].strip())
    return None


@pytest.fixture(scope="module")
def java25() -> str:
    candidates = [os.environ["LAB_TEST_JAVA25"]] if os.environ.get("LAB_TEST_JAVA25") else []
    for pattern in JAVA25_PLACES:
        candidates += sorted(glob.glob(pattern))
    for java in candidates:
        if os.access(java, os.X_OK) and java_feature(java) == 25:
            return java
    pytest.skip("no JDK 25 here (set LAB_TEST_JAVA25 to its java, or install Temurin 25 in /usr/lib/jvm)")


@pytest.fixture(scope="module")
def java25_kernel_name(java25, kernelspec_prefix) -> str:
    """The kernel installed by Java 25's own `java -jar ... install`, as a student with only that Java would."""
    name = TEST_KERNEL_NAME + "-java25"
    # no class archive: its ~25 s of training buys nothing for one short smoke run
    proc = subprocess.run([java25, "-jar", str(JAR), "install", "--prefix", str(kernelspec_prefix),
                           "--name", name, "--no-class-archive"], capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, f"install with Java 25 failed:\n{proc.stdout}\n{proc.stderr}"
    spec = json.loads((kernelspec_prefix / "share" / "jupyter" / "kernels" / name / "kernel.json").read_text())
    assert Path(spec["argv"][0]).resolve() == Path(java25).resolve(), spec["argv"][0]
    return name


def test_a_lessons_smoke_run_on_java_25(java25_kernel_name, tmp_path, log_dir):
    home = tmp_path / "home"
    port = find_free_port_pair(int(os.environ.get("SPARK_LAB_KAFKA_PORT") or 39092) + 40)
    env = {"SPARK_LAB_HOME": str(home), "KAFKA_BOOTSTRAP_SERVERS": None, "SPARK_LAB_KAFKA_PORT": str(port)}
    kernel = start_kernel_with_env(java25_kernel_name, log_dir / "java25-smoke.log", env)
    try:
        assert kernel.value("Runtime.version().feature()") == "25"

        # the SparkContext starts (Hadoop's user lookup used to throw here) and runs a cell's lambda
        spark_runs_a_cells_lambda(kernel, SPARK_TIMEOUT)

        # a streaming query with a checkpoint on Hadoop's local file system, shown as a live view
        checkpoint = tmp_path / "checkpoint"
        started = kernel.ok(
            'StreamingQuery buckets = spark.readStream().format("rate").option("rowsPerSecond", 20).load()\n'
            '    .selectExpr("value % 3 AS bucket").groupBy("bucket").count()\n'
            f'    .writeStream().format("memory").outputMode("complete").queryName("buckets")\n'
            f'    .option("checkpointLocation", "{checkpoint}").start();')
        shown = started.of_type("display_data")
        assert shown and "buckets" in shown[0]["content"]["data"]["text/html"], started.describe()
        waited = kernel.ok("%stream wait buckets --batches 2 --timeout 120", timeout=150)
        view = shown[0]["content"]["transient"]["display_id"]
        updates = [m for m in waited.of_type("update_display_data")
                   if (m["content"].get("transient") or {}).get("display_id") == view]
        assert updates, waited.describe()
        rows = parse_tables(updates[-1]["content"]["data"]["text/html"])[-1].records()
        assert {r["bucket"] for r in rows} == {"0", "1", "2"}, rows
        assert (checkpoint / "commits" / "0").is_file(), sorted(p.name for p in checkpoint.glob("*"))
        kernel.ok("%stream stop buckets", timeout=60)

        # the embedded broker runs on the same Java, and Spark reads what was produced
        embedded_broker_round_trip(kernel, port, KAFKA_START_TIMEOUT)
    finally:
        stop_kernel_and_brokers(kernel, home)
