"""Kafka faults under a running query, with the lab's own broker (one kernel for the module):

* the broker is killed (SIGKILL) under a running query: the query's view says in plain words that
  Kafka is gone and what to do, the kernel stays up, and after %kafka start the same cell, run again
  with the same checkpoint, goes on where the query stopped (exact counts);
* a topic is deleted under a running query: the view says so and how to start over, and that works;
* bad records (not JSON, cut off, empty, a 5 MB one) among good ones while the title query runs:
  from_json gives nulls, the query goes on, every good record is counted.
"""

from __future__ import annotations

import os
import re
import signal
import sys
import time
from pathlib import Path

import pytest

from labharness import wait_pid_gone
from test_exactly_once import KAFKA_START_TIMEOUT, PRINT_PROGRESS, Lab, expected_titles, ran_batches, topic_records

sys.path.insert(0, str(Path(__file__).resolve().parent / "kafka"))
from kafkaharness import broker_pids  # noqa: E402

FAIL_WITHIN = 120

# short Kafka client timeouts: the query fails within seconds once the broker is gone (the default is minutes)
LIVE_QUERY = r"""
StreamingQuery @VAR@ = spark.readStream()
    .format("kafka")
    .option("kafka.bootstrap.servers", kafkaBootstrapServers())
    .option("subscribe", "@TOPIC@")
    .option("startingOffsets", "earliest")
    .option("kafka.default.api.timeout.ms", "4000")
    .option("kafka.request.timeout.ms", "3000")
    .option("fetchOffset.numRetries", "2")
    .load()
    .select(from_json(col("value").cast("string"), new StructType().add("title", "string")).alias("value"))
    .groupBy("value.title").count()
    .writeStream()
    .format("memory")
    .outputMode("complete")
    .option("checkpointLocation", "@CHECKPOINT@")
    .queryName("@NAME@")
    .start();
"""


def live_query(name: str, topic: str, checkpoint) -> str:
    return (LIVE_QUERY.replace("@VAR@", name + "Query").replace("@TOPIC@", topic).replace("@NAME@", name)
            .replace("@CHECKPOINT@", str(checkpoint)))


@pytest.fixture(scope="module")
def lab(kernel_name, tmp_path_factory, log_dir):
    lab = Lab(tmp_path_factory.mktemp("kafka-faults"), kernel_name, log_dir)
    yield lab
    lab.close()


def query_state(kernel, name: str) -> str:
    listing = kernel.ok("%stream list").plain
    for line in listing.splitlines():
        cells = [c.strip() for c in line.split("|")]
        if cells and cells[0] == name:
            return cells[2]
    raise AssertionError(f"{name} not in %stream list:\n{listing}")


def await_failure(kernel, name: str) -> str:
    """Waits until the query failed; returns what its view says (text/plain of %stream show)."""
    deadline = time.monotonic() + FAIL_WITHIN
    while (state := query_state(kernel, name)) == "ACTIVE":
        assert time.monotonic() < deadline, f"{name} did not fail within {FAIL_WITHIN} s"
        time.sleep(1)
    assert state == "FAILED", state
    view = kernel.ok(f"%stream show {name}")
    shown = "\n".join(d.get("text/plain", "") for d in view.displays)
    assert "FAILED" in shown and "Error:" in shown, shown
    return shown


def memory_counts(kernel, table: str) -> dict[str, int]:
    printed = kernel.ok(f'for (Row r : spark.table("{table}").collectAsList()) '
                        'System.out.println("COUNT\\t" + (r.isNullAt(0) ? "<null>" : r.getString(0)) + "\\t" + r.getLong(1));').stdout
    return {m.group(1): int(m.group(2)) for m in re.finditer(r"^COUNT\t(.*)\t(\d+)$", printed, re.M)}


def test_a_query_whose_broker_is_killed_says_so_and_resumes_from_its_checkpoint(lab):
    kernel = lab.kernel()
    checkpoint = lab.root / "chk-live"
    query = live_query("live_titles", "live_people", checkpoint)
    kernel.ok("%kafka delete live_people --if-exists")
    kernel.ok("%kafka create live_people --partitions 3")
    kernel.ok("%kafka produce live_people --fake people --count 1500 --seed 21 --wait", timeout=120)
    kernel.ok(query)
    kernel.ok("%stream wait live_titles --timeout 180", timeout=200)
    last_batch = max(b for b, _ in ran_batches(kernel.ok(PRINT_PROGRESS.format(q="live_titlesQuery")).stdout))

    [broker] = broker_pids(lab.home)
    os.kill(broker, signal.SIGKILL)  # no clean shutdown: Kafka recovers its logs at the next start
    assert wait_pid_gone(broker, 10)

    shown = await_failure(kernel, "live_titles")
    # the lab's plain words first (Kafka is gone, start it, run the cell again), then Spark's line
    address = kernel.value("kafkaBootstrapServers()").strip('"')
    assert f"Kafka at {address} does not answer: the lab's broker is not running" in shown, shown
    assert "%kafka start" in shown and "same checkpointLocation" in shown, shown
    assert kernel.value("1 + 1") == "2", "the kernel should stay up"
    assert "exited unexpectedly" in kernel.ok("%kafka stop").plain  # what %kafka stop/status know of it

    # recovery as docs/kafka.md says: start Kafka, run the query's cell again
    assert "started" in kernel.ok("%kafka start", timeout=KAFKA_START_TIMEOUT).plain
    assert topic_records(kernel, "live_people") == 1500, "records were lost with the killed broker"
    kernel.ok("%kafka produce live_people --fake people --count 500 --seed 22 --wait", timeout=120)
    kernel.ok(query)  # the same cell again: same checkpoint
    kernel.ok("%stream wait live_titles --timeout 180", timeout=200)
    ran = ran_batches(kernel.ok(PRINT_PROGRESS.format(q="live_titlesQuery")).stdout)
    assert ran[0] == (last_batch + 1, 500), f"it should go on with batch {last_batch + 1} and the 500 new records: {ran}"
    expected = expected_titles(kernel, "live_people")
    assert sum(expected.values()) == 2000
    assert memory_counts(kernel, "live_titles") == expected, "after the restart the counts differ from the topic"

    # %kafka stop under a running reader names it, so the failure that follows is no surprise
    stopped = kernel.ok("%kafka stop", timeout=90).plain
    assert "Kafka stopped" in stopped and "live_titles" in stopped, stopped
    kernel.ok("%stream stop live_titles")
    assert "started" in kernel.ok("%kafka start", timeout=KAFKA_START_TIMEOUT).plain


def test_a_topic_deleted_under_a_running_query_is_named_and_starting_over_works(lab):
    kernel = lab.kernel()
    checkpoint = lab.root / "chk-doomed"
    query = live_query("doomed_titles", "doomed_people", checkpoint)
    kernel.ok("%kafka delete doomed_people --if-exists")
    kernel.ok("%kafka create doomed_people --partitions 2")
    kernel.ok("%kafka produce doomed_people --fake people --count 300 --seed 31 --wait", timeout=120)
    kernel.ok(query)
    kernel.ok("%stream wait doomed_titles --timeout 180", timeout=200)

    kernel.ok("%kafka delete doomed_people")
    shown = await_failure(kernel, "doomed_titles")
    assert "Topic doomed_people, which this query reads, was deleted under it" in shown, shown
    assert f"%checkpoint clear {checkpoint}" in shown, shown
    assert kernel.value("1 + 1") == "2", "the kernel should stay up"

    # starting over, as the view says: the topic made again, the checkpoint cleared, the same cell
    kernel.ok("%kafka delete doomed_people --if-exists")
    kernel.ok("%kafka create doomed_people --partitions 2")
    kernel.ok("%kafka produce doomed_people --fake people --count 200 --seed 32 --wait", timeout=120)
    kernel.ok(f"%checkpoint clear {checkpoint}")
    kernel.ok(query)
    kernel.ok("%stream wait doomed_titles --timeout 180", timeout=200)
    expected = expected_titles(kernel, "doomed_people")
    assert sum(expected.values()) == 200
    assert memory_counts(kernel, "doomed_titles") == expected
    kernel.ok("%stream stop doomed_titles")


BAD_RECORDS = [
    "this line is not JSON",
    '{"id": "cut-1", "name": "Cut Off", "title":',
    '<person><title>Nurse</title></person>',
    '{"id": "no-title-1", "name": "Nobody"}',
    '[1, 2, 3]',
]
HUGE = 5 * 1024 * 1024


def test_bad_records_among_good_ones_do_not_stop_the_title_query(lab):
    kernel = lab.kernel()
    checkpoint = lab.root / "chk-bad"
    kernel.ok("%kafka delete messy_people --if-exists")
    kernel.ok("%kafka create messy_people --partitions 2")
    kernel.ok("%kafka produce messy_people --fake people --count 400 --seed 41 --wait", timeout=120)
    kernel.ok(live_query("messy_titles", "messy_people", checkpoint))
    kernel.ok("%stream wait messy_titles --timeout 180", timeout=200)

    # while the query runs: bad lines, an empty record (a key and no value), a 5 MB record that is not
    # JSON, and a 5 MB one that is (a long name, a real title), between good fake people
    kernel.ok("%%kafka produce messy_people\n" + "\n".join(BAD_RECORDS) + "\nempty-1\t\n", timeout=60)
    kernel.ok("%kafka produce messy_people --fake people --count 100 --seed 42 --wait", timeout=120)
    sent = kernel.ok("%%kafka produce messy_people\n" + "x" * HUGE + "\n"
                     + '{"id": "huge-2", "name": "' + "y" * HUGE + '", "title": "Nurse"}\n', timeout=120).plain
    assert "Sent 2 records" in sent, sent
    kernel.ok("%kafka produce messy_people --fake people --count 100 --seed 43 --wait", timeout=120)
    kernel.ok("%stream wait messy_titles --timeout 180", timeout=200)

    assert query_state(kernel, "messy_titles") == "ACTIVE", "bad records stopped the query"
    assert kernel.value("1 + 1") == "2"
    expected = expected_titles(kernel, "messy_people")
    assert sum(expected.values()) == 400 + len(BAD_RECORDS) + 1 + 2 + 200
    # what from_json gives, read independently of Spark: the bad ones, the empty one and the 5 MB garbage are null
    assert expected["<null>"] == len(BAD_RECORDS) + 1 + 1, expected["<null>"]
    got = memory_counts(kernel, "messy_titles")
    assert got == expected, {t: (got.get(t), n) for t, n in expected.items() if got.get(t) != n}

    # how the lesson and docs/kafka.md count them: the null title's row, and a batch query that finds them
    null_rows = kernel.ok('spark.table("messy_titles").where("title IS NULL").first().getLong(1)').plain
    assert null_rows == str(expected["<null>"])
    found = kernel.ok('spark.read().format("kafka").option("kafka.bootstrap.servers", kafkaBootstrapServers())'
                      '.option("subscribe", "messy_people").load()'
                      '.where(from_json(col("value").cast("string"), new StructType().add("title", "string"))'
                      '.getField("title").isNull()).count()').plain
    assert found == str(expected["<null>"])
    kernel.ok("%stream stop messy_titles")


def test_a_record_larger_than_kafka_takes_is_named(lab):
    kernel = lab.kernel()
    res = kernel.run("%%kafka produce messy_people\nsmall one\n" + "z" * (17 * 1024 * 1024) + "\nsmall two\n", timeout=120)
    assert res.status == "error", res.describe()
    assert "Record 2 (17.0 MB) is larger than the lab's Kafka accepts (16.0 MB)" in res.error_text, res.error_text
    assert "2 of 3 records reached messy_people" in res.error_text, res.error_text
    assert kernel.value("1 + 1") == "2"
