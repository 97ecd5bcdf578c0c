"""%kafka and %%kafka against a real broker: the lab's own (embedded) one, and one the test
starts itself and names in KAFKA_BOOTSTRAP_SERVERS. No broker JVM may outlive its kernel."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import time

import pytest

from kafkaharness import broker_pids, find_free_port_pair, java_command, start_kernel_with_env, stop_kernel_and_brokers
from labharness import html_text, only_table, wait_pid_gone

# a start on a busy 2-core machine (Spark starts beside it) can take a while
START_TIMEOUT = 180


def table(res) -> list[dict[str, str]]:
    bundle = res.result or (res.displays[-1] if res.displays else None)
    assert bundle is not None, f"no table in:\n{res.describe()}"
    return only_table(bundle["text/html"]).records()


def say(res) -> str:
    """All a user reads in the cell's output, HTML reduced to its text."""
    parts = [res.text]
    for bundle in res.results + res.displays:
        if "text/html" in bundle:
            parts.append(html_text(bundle["text/html"]))
    return "\n".join(parts)


def latest_display(res) -> str:
    """text/plain of the cell's display as it stands after its last update_display_data."""
    shown = [m["content"]["data"] for m in res.messages
             if m["header"]["msg_type"] in ("display_data", "update_display_data")]
    assert shown, f"no display in:\n{res.describe()}"
    return shown[-1].get("text/plain", "")


def fails(kernel, code: str, *fragments: str, within: float = 30):
    res = kernel.run(code)
    assert res.status == "error", f"expected an error:\n{res.describe()}"
    assert res.reply_arrival is not None and res.reply_arrival < within, f"took {res.reply_arrival}s:\n{res.describe()}"
    for fragment in fragments:
        assert fragment in res.error_text, f"{fragment!r} not in the error:\n{res.error_text}"
    return res


def round_trip(kernel, topic: str) -> None:
    """create, %%kafka produce lines, consume, describe, topics, delete: what a lesson does with a topic."""
    assert f"Created topic {topic} with 2 partitions" in kernel.ok(f"%kafka create {topic} --partitions 2").plain

    sent = kernel.ok(f"%%kafka produce {topic}\nhello world\nk1\tvalue one\n\nlast line").plain
    assert f"Sent 3 records to {topic}" in sent, sent

    rows = table(kernel.ok(f"%kafka consume {topic} --from-beginning"))
    assert sorted(r["value"] for r in rows) == ["hello world", "last line", "value one"]
    assert {r["value"]: r["key"] for r in rows}["value one"] == "k1"
    assert {r["partition"] for r in rows} <= {"0", "1"}
    assert all(r["timestamp"] for r in rows)

    parts = table(kernel.ok(f"%kafka describe {topic}"))
    assert [p["partition"] for p in parts] == ["0", "1"]
    assert sum(int(p["end_offset"]) for p in parts) == 3
    assert sum(int(p["records"]) for p in parts) == 3
    assert all(p["start_offset"] == "0" for p in parts)

    listed = {r["topic"]: r for r in table(kernel.ok("%kafka topics"))}
    assert listed[topic]["records"] == "3" and listed[topic]["partitions"] == "2"

    assert f"Deleted topic {topic} and its 3 records" in kernel.ok(f"%kafka delete {topic}").plain
    assert topic not in {r["topic"] for r in table(kernel.ok("%kafka topics"))}
    fails(kernel, f"%kafka describe {topic}", f"no topic '{topic}'")
    fails(kernel, f"%kafka delete {topic}", f"no topic '{topic}'")
    # what a notebook that starts from an empty topic each run does: no error the first time
    assert "nothing to delete" in kernel.ok(f"%kafka delete {topic} --if-exists").plain


def one_value(text: str, field: str) -> str:
    m = re.search(rf'"{field}":"([^"]*)"', text)
    assert m, f"no {field} in {text!r}"
    return m.group(1)


# --------------------------------------------------------------------------
# the lab's own broker
# --------------------------------------------------------------------------


class TestEmbeddedBroker:
    @pytest.fixture(scope="class")
    def lab(self, kernel_name, broker_jar, log_dir, tmp_path_factory):
        home = tmp_path_factory.mktemp("kafka-lab-home")
        port = find_free_port_pair(29092)
        kernel = start_kernel_with_env(kernel_name, log_dir / "kafka-embedded-kernel.log", {
            "SPARK_LAB_HOME": str(home),
            "SPARK_LAB_KAFKA_PORT": str(port),
            "KAFKA_BOOTSTRAP_SERVERS": None,
        })
        kernel.kafka_home = home
        kernel.kafka_address = f"127.0.0.1:{port}"
        kernel.kafka_port = port
        yield kernel
        stop_kernel_and_brokers(kernel, home)

    def test_before_start_magics_say_to_run_kafka_start(self, lab):
        fails(lab, "%kafka topics", "%kafka start", lab.kafka_address)
        fails(lab, "%kafka consume anything", "%kafka start", lab.kafka_address)
        status = say(lab.ok("%kafka status"))
        assert "not running" in status and lab.kafka_address in status

    def test_a_port_in_use_is_named(self, lab):
        with socket.socket() as taken:
            taken.bind(("127.0.0.1", 0))
            taken.listen()
            port = taken.getsockname()[1]
            fails(lab, f"%kafka start --port {port}", f"Port {port}", "in use", "--port")
        assert broker_pids(lab.kafka_home) == []

    def test_start_once_then_a_second_start_says_it_runs(self, lab):
        res = lab.ok("%kafka start", timeout=START_TIMEOUT)
        assert "started at " + lab.kafka_address in res.plain, res.plain
        assert f'"kafka.bootstrap.servers", "{lab.kafka_address}"' in res.plain
        pids = broker_pids(lab.kafka_home)
        assert len(pids) == 1, pids

        again = lab.ok("%kafka start").plain
        assert "already running" in again and "not starting another" in again, again
        assert broker_pids(lab.kafka_home) == pids

    def test_status_names_the_embedded_broker(self, lab):
        status = say(lab.ok("%kafka status"))
        assert "embedded" in status and lab.kafka_address in status
        assert "running, pid" in status and "started by this kernel" in status

    def test_topic_round_trip(self, lab):
        round_trip(lab, "words")

    @pytest.mark.parametrize("code, fragment", [
        ("%kafka", "needs a subcommand"),
        ("%kafka publish x", "Unknown subcommand 'publish'"),
        ("%kafka create", "needs a TOPIC"),
        ("%kafka create a b", "Unexpected argument 'b'"),
        ("%kafka create bad/name", "not a valid topic name"),
        ("%kafka create t --partitions zero", "--partitions needs a whole number"),
        ("%kafka consume t --max 0", "--max must be between 1 and 10000"),
        ("%kafka consume t --from-start", "Unknown option --from-start"),
        ("%kafka produce t", "--fake people"),
        ("%kafka produce t --fake robots", "not 'robots'"),
        ("%kafka produce t --fake people --rate fast", "--rate is records a second"),
        ("%kafka produce t --fake people --count -5", "--count must be between"),
        ("%%kafka produce t\n\n", "no records below"),
        ("%%kafka topics\nx", "not a cell magic"),
        ("%kafka start --port 80", "--port must be between"),
    ])
    def test_wrong_arguments_name_what_was_wrong(self, lab, code, fragment):
        res = fails(lab, code, fragment)
        assert "Usage" in res.error_text

    def test_fake_people_same_seed_same_records(self, lab):
        for topic in ("people_a", "people_b"):
            res = lab.ok(f"%kafka produce {topic} --fake people --count 300 --seed 7 --wait", timeout=START_TIMEOUT)
            progress = latest_display(res)
            assert "300 / 300 records" in progress and "done" in progress and "seed 7" in progress, res.describe()
        lab.ok("%kafka produce people_c --fake people --count 300 --seed 8 --wait")
        for topic in ("people_a", "people_b", "people_c"):
            assert sum(int(p["records"]) for p in table(lab.ok(f"%kafka describe {topic}"))) == 300

        a = table(lab.ok("%kafka consume people_a --from-beginning --max 300"))
        b = table(lab.ok("%kafka consume people_b --from-beginning --max 300"))
        c = table(lab.ok("%kafka consume people_c --from-beginning --max 300"))
        assert len(a) == 300
        assert [(r["key"], r["value"]) for r in a] == [(r["key"], r["value"]) for r in b]
        assert [r["key"] for r in a] != [r["key"] for r in c]
        for r in a:
            assert one_value(r["value"], "id") == r["key"]
            assert one_value(r["value"], "name").strip()
            assert one_value(r["value"], "title").strip()
        titles = [one_value(r["value"], "title") for r in a]
        top = max(set(titles), key=titles.count)
        assert titles.count(top) > 300 / 10, "titles should be skewed: one title is common"
        assert len(set(titles)) > 10, "and many are rare"

    def test_fake_producer_runs_in_background_until_stopped(self, lab):
        res = lab.ok("%kafka produce live --fake people --rate 200/s --seed 3")
        assert res.reply_arrival < 30, "the producer runs in the background; the cell ends at once"
        assert any("live" in d.get("text/plain", "") for d in res.displays), res.describe()
        time.sleep(2)
        assert "live: " in say(lab.ok("%kafka status"))
        stopped = lab.ok("%kafka produce --stop").plain
        m = re.search(r"live: stopped after ([\d,]+) records", stopped)
        assert m, stopped
        sent = int(m.group(1).replace(",", ""))
        assert sent > 0
        # every record the producer counted is in the topic, none more
        assert sum(int(p["records"]) for p in table(lab.ok("%kafka describe live"))) == sent
        assert "No fake producer is running" in lab.ok("%kafka produce --stop").plain

    def test_stop_and_start_keep_topics_and_records(self, lab):
        pid = broker_pids(lab.kafka_home)[0]
        assert "Kafka stopped" in lab.ok("%kafka stop", timeout=60).plain
        assert wait_pid_gone(pid, 10)
        fails(lab, "%kafka topics", "%kafka start")
        assert "not running" in lab.ok("%kafka stop").plain

        assert "started" in lab.ok("%kafka start", timeout=START_TIMEOUT).plain
        assert sum(int(p["records"]) for p in table(lab.ok("%kafka describe people_a"))) == 300
        assert len(table(lab.ok("%kafka consume people_a --from-beginning --max 5"))) == 5

    def test_a_broker_left_by_a_dead_kernel_is_stopped_by_the_next_start(self, lab, broker_jar):
        """A broker whose kernel is gone (and that did not follow it out) is found by its pid file."""
        assert "Kafka stopped" in lab.ok("%kafka stop", timeout=60).plain
        dead = subprocess.Popen(["true"])
        dead.wait()
        data = lab.kafka_home / "kafka"
        # started as the lab starts it, with the class archive its first stop left (a quicker start)
        archive = [f"-XX:SharedArchiveFile={a}" for a in sorted(data.glob("broker-classes-*.jsa"))][:1]
        leftover = subprocess.Popen(
            [java_command(), "-Xmx128m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", *archive,
             "-jar", str(broker_jar), "--data-dir", str(data), "--port", str(lab.kafka_port)],
            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, stdin=subprocess.DEVNULL)
        try:
            line = leftover.stdout.readline().decode()
            assert line.startswith("READY"), line
            (data / "broker.pid").write_text(
                f"pid={leftover.pid}\nkernel.pid={dead.pid}\nhost=127.0.0.1\nport={lab.kafka_port}\n")
            status = say(lab.ok("%kafka status"))
            assert "a kernel that is gone" in status, status
            res = lab.ok("%kafka start", timeout=START_TIMEOUT).plain
            assert f"Stopped a broker (pid {leftover.pid}) left running by an earlier kernel" in res, res
            assert "started at" in res
            leftover.wait(10)
        finally:
            if leftover.poll() is None:
                leftover.kill()
                leftover.wait()
        assert broker_pids(lab.kafka_home) != [leftover.pid]

    def test_kernel_restart_leaves_no_broker_behind(self, lab):
        pids = broker_pids(lab.kafka_home)
        assert len(pids) == 1, pids
        lab.restart()
        assert wait_pid_gone(pids[0], 30), "the broker outlived its kernel's restart"
        assert broker_pids(lab.kafka_home) == []
        # the new kernel starts it again on the same data
        assert "started" in lab.ok("%kafka start", timeout=START_TIMEOUT).plain
        assert sum(int(p["records"]) for p in table(lab.ok("%kafka describe people_a"))) == 300

    def test_a_killed_kernel_takes_its_broker_along(self, lab):
        pids = broker_pids(lab.kafka_home)
        assert len(pids) == 1, pids
        os.kill(lab.pid, signal.SIGKILL)  # the kernel alone: no shutdown hook runs
        assert wait_pid_gone(pids[0], 30), "the broker outlived its SIGKILLed kernel"


# --------------------------------------------------------------------------
# a Kafka the lab did not start: KAFKA_BOOTSTRAP_SERVERS
# --------------------------------------------------------------------------


class TestExternalCluster:
    @pytest.fixture(scope="class")
    def lab(self, kernel_name, external_broker, log_dir, tmp_path_factory):
        home = tmp_path_factory.mktemp("kafka-external-home")
        kernel = start_kernel_with_env(kernel_name, log_dir / "kafka-external-kernel.log", {
            "SPARK_LAB_HOME": str(home),
            "KAFKA_BOOTSTRAP_SERVERS": external_broker.address,
        })
        kernel.kafka_home = home
        yield kernel
        stop_kernel_and_brokers(kernel, home)

    def test_start_says_the_external_cluster_is_used(self, lab, external_broker):
        said = lab.ok("%kafka start").plain
        assert "KAFKA_BOOTSTRAP_SERVERS" in said and external_broker.address in said, said
        assert broker_pids(lab.kafka_home) == []
        status = say(lab.ok("%kafka status"))
        assert "external" in status and external_broker.address in status

    def test_topic_round_trip(self, lab):
        round_trip(lab, "ext_words")

    def test_fake_people(self, lab):
        lab.ok("%kafka produce ext_people --fake people --count 500 --seed 1 --wait", timeout=START_TIMEOUT)
        assert sum(int(p["records"]) for p in table(lab.ok("%kafka describe ext_people"))) == 500

    def test_stop_leaves_the_external_cluster_running(self, lab, external_broker):
        said = lab.ok("%kafka stop").plain
        assert "does not stop it" in said, said
        assert external_broker.proc.poll() is None
        assert "ext_people" in {r["topic"] for r in table(lab.ok("%kafka topics"))}

    def test_an_external_cluster_that_is_gone_is_named(self, lab, external_broker):
        external_broker.stop()
        fails(lab, "%kafka topics", external_broker.address, "KAFKA_BOOTSTRAP_SERVERS")
        assert "does not answer" in say(lab.ok("%kafka status"))
