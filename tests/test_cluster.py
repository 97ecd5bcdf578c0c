"""The notebook on a real Spark cluster: a standalone master and worker started here on 127.0.0.1
(from the Spark jars the build has), whose executors are other JVMs. Cell-defined lambdas, bean
classes and UDFs must give the right numbers there; a lambda reading a top-level variable of a cell
must fail with a clear message, never with a silently wrong result."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import time
from pathlib import Path

import pytest

from labharness import ROOT, wait_pid_gone

LIB = ROOT / "kernel" / "target" / "lib"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def jvm_options(kernelspec_prefix: Path) -> list[str]:
    spec = json.loads((kernelspec_prefix / "share/jupyter/kernels").glob("*/kernel.json").__next__().read_text())
    return [a for a in spec["argv"] if a.startswith(("--add-opens", "-XX:+Ignore", "-Dio.netty", "-Djdk"))]


@pytest.fixture(scope="module")
def standalone_cluster(kernelspec_prefix, tmp_path_factory):
    home = tmp_path_factory.mktemp("spark-home")
    (home / "jars").symlink_to(LIB)  # a Spark "distribution" made of the kernel's own Spark jars
    env = dict(os.environ, SPARK_HOME=str(home), SPARK_SCALA_VERSION="2.12", SPARK_LOCAL_IP="127.0.0.1",
               SPARK_WORKER_DIR=str(home / "work"))
    opts = jvm_options(kernelspec_prefix)
    port = free_port()
    logs = tmp_path_factory.mktemp("cluster-logs")
    procs = []

    def launch(name: str, *args: str) -> subprocess.Popen:
        log = open(logs / f"{name}.log", "wb")
        p = subprocess.Popen(["java", *opts, "-Xmx256m", "-cp", f"{LIB}/*", *args], env=env, stdout=log,
                             stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        procs.append(p)
        return p

    try:
        launch("master", "org.apache.spark.deploy.master.Master", "--host", "127.0.0.1", "--port", str(port),
               "--webui-port", str(free_port()))
        launch("worker", "org.apache.spark.deploy.worker.Worker", f"spark://127.0.0.1:{port}", "--host", "127.0.0.1",
               "--cores", "1", "--memory", "1g", "--webui-port", str(free_port()))
        deadline = time.monotonic() + 120
        while b"Successfully registered with master" not in (logs / "worker.log").read_bytes():
            assert time.monotonic() < deadline, (logs / "worker.log").read_text(errors="replace")[-2000:]
            assert all(p.poll() is None for p in procs), "the master or worker died"
            time.sleep(1)
        yield f"spark://127.0.0.1:{port}"
    finally:
        for p in reversed(procs):
            p.terminate()
        for p in procs:
            try:
                p.wait(30)
            except subprocess.TimeoutExpired:
                p.kill()
        # executors are children of the worker: none may outlive it
        for line in subprocess.run(["ps", "-eo", "pid,args"], capture_output=True, text=True).stdout.splitlines():
            if "CoarseGrainedExecutorBackend" in line and str(home) in line:
                pid = int(line.split()[0])
                os.kill(pid, 9)
                raise AssertionError(f"executor {pid} outlived its worker")


@pytest.fixture
def cluster_kernel(standalone_cluster, kernel_factory, monkeypatch, tmp_path):
    monkeypatch.setenv("SPARK_MASTER", standalone_cluster)
    monkeypatch.setenv("SPARK_LAB_HOME", str(tmp_path / "lab-home"))
    k = kernel_factory("cluster")
    assert k.value("spark.sparkContext().master()", 240) == standalone_cluster
    return k


def test_cell_code_runs_on_executors_of_a_real_cluster(cluster_kernel):
    k = cluster_kernel
    # the executors are other JVMs: they report pids that are not the kernel's
    pids = k.value("spark.range(0, 4, 1, 2).map((MapFunction<Long, Long>) v -> ProcessHandle.current().pid(), "
                   "Encoders.LONG()).distinct().collectAsList()", 300)
    assert str(k.pid) not in pids, f"tasks ran in the kernel's JVM ({k.pid}): {pids}"

    k.ok("public static class Person implements java.io.Serializable {\n"
         "    private String name; private int age;\n"
         "    public Person() {}\n"
         "    public Person(String n, int a) { name = n; age = a; }\n"
         "    public String getName() { return name; } public void setName(String n) { name = n; }\n"
         "    public int getAge() { return age; } public void setAge(int a) { age = a; }\n"
         "}")
    assert k.value('spark.createDataset(List.of(new Person("Ann", 30), new Person("Bob", 40)), Encoders.bean(Person.class))'
                   '.map((MapFunction<Person, Integer>) p -> p.getAge() * 2, Encoders.INT())'
                   '.reduce((ReduceFunction<Integer>) Integer::sum)') == "140"
    assert k.value('spark.udf().register("twice", (UDF1<Integer, Integer>) v -> v * 2, DataTypes.IntegerType);\n'
                   'spark.sql("SELECT sum(twice(CAST(id AS INT))) FROM range(4)").first().getLong(0)') == "12"


def test_top_level_variable_in_a_lambda_is_right_or_clearly_refused(cluster_kernel):
    k = cluster_kernel
    k.ok("int factor = 3;")
    res = k.run("spark.range(5).map((MapFunction<Long, Long>) v -> v * factor, Encoders.LONG())"
                ".reduce((ReduceFunction<Long>) Long::sum)", 300)
    if res.status == "ok":  # the only other acceptable outcome: the right number
        assert res.plain.strip() == "30"
    else:
        assert "notebook variable `factor`" in res.error_text and "local variable" in res.error_text, res.error_text
    # the way the message suggests gives the right number
    assert k.value("long scaled;\n{ int factorCopy = factor;\n  scaled = spark.range(5).map((MapFunction<Long, Long>) "
                   "v -> v * factorCopy, Encoders.LONG()).reduce((ReduceFunction<Long>) Long::sum); }\nscaled") == "30"
