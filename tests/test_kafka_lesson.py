"""Lesson 6 (the Kafka title analysis) executed end to end by nbclient, as CI runs the lessons,
against a broker the test starts itself and names in KAFKA_BOOTSTRAP_SERVERS, so %kafka start says
it uses that cluster and the lab starts no broker of its own. (One run keeps CI short: the lab's own
broker is started and stopped by lessons 2, 7 and 8 and by tests/kafka; the Korean twin has the same
code cells, checked in test_lessons.py.) The tables the lesson shows are checked against the records
that are really in its topics, read by Kafka's own consumer in cells the test adds before the
lesson's clean-up (not by Spark), and counted here."""

from __future__ import annotations

import collections
import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient
from nbformat.v4 import new_code_cell

from test_lessons import NOTEBOOKS, course_copy, cell_with as code_cell, html_of, text_of  # the lesson tests' helpers
from labharness import ROOT, STARTUP_TIMEOUT, html_text, parse_tables, said_like, say, wait_pid_gone

sys.path.insert(0, str(Path(__file__).resolve().parent / "kafka"))
from kafkaharness import BROKER_JAR, BROKER_READY_TIMEOUT, ExternalBroker, broker_pids, find_free_port_pair  # noqa: E402

LESSON = ROOT / "notebooks" / "06-kafka-title-analysis.ipynb"
KOREAN_LESSON = ROOT / "notebooks" / "ko" / "06-kafka-title-analysis.ipynb"
CELL_TIMEOUT = 240
# Cells the test adds before the lesson's clean-up: every record of both topics, read by Kafka's own
# consumer (not Spark), printed whole (%kafka consume shortens long values) as base64 of gzip: a 5 MB
# record stays small, under the 2 MB a cell prints before its output goes to a file.
DUMP_TOPIC = r"""
String packed(byte[] bytes) {
    var zipped = new java.io.ByteArrayOutputStream();
    try (var gzip = new java.util.zip.GZIPOutputStream(zipped)) {
        gzip.write(bytes);
    } catch (java.io.IOException e) {
        throw new java.io.UncheckedIOException(e);
    }
    return Base64.getEncoder().encodeToString(zipped.toByteArray());
}
void dumpTopic(String topic) {
    Map<String, Object> config = Map.of(
        "bootstrap.servers", kafkaBootstrapServers(),
        "key.deserializer", "org.apache.kafka.common.serialization.ByteArrayDeserializer",
        "value.deserializer", "org.apache.kafka.common.serialization.ByteArrayDeserializer",
        "enable.auto.commit", "false");
    try (var consumer = new org.apache.kafka.clients.consumer.KafkaConsumer<byte[], byte[]>(config)) {
        var partitions = consumer.partitionsFor(topic).stream()
            .map(p -> new org.apache.kafka.common.TopicPartition(topic, p.partition())).toList();
        consumer.assign(partitions);
        consumer.seekToBeginning(partitions);
        var end = consumer.endOffsets(partitions);
        long deadline = System.currentTimeMillis() + 60_000;
        StringBuilder out = new StringBuilder();
        while (partitions.stream().anyMatch(tp -> consumer.position(tp) < end.get(tp))) {
            if (System.currentTimeMillis() > deadline) throw new IllegalStateException("reading " + topic + " timed out");
            for (var r : consumer.poll(java.time.Duration.ofMillis(500))) {
                out.append("REC\t").append(r.partition()).append('\t').append(r.offset()).append('\t')
                    .append(r.key() == null ? "-" : packed(r.key())).append('\t')
                    .append(packed(r.value())).append('\n');
            }
        }
        System.out.print(out);
    }
}
"""
CHECK_PEOPLE = 'dumpTopic("fake_people");'
CHECK_COUNTS = 'dumpTopic("title_counts");'
CHECK_CELLS = (DUMP_TOPIC.strip(), CHECK_PEOPLE, CHECK_COUNTS)


# --------------------------------------------------------------------------
# Running the lesson
# --------------------------------------------------------------------------

def run_lesson(kernel_name: str, workdir: Path, log_path: Path, env: dict[str, str | None], lesson: Path = LESSON):
    """Executes a copy of the lesson (English, or the Korean twin) in workdir, with the check cells inserted
    before its clean-up section (the heading just before the cell that stops its queries), in a kernel whose
    environment is this process's changed by env (None removes)."""
    nb = nbformat.read(lesson, as_version=4)
    stops = next(i for i, c in enumerate(nb.cells) if c.cell_type == "code" and c.source.startswith("%stream stop all"))
    cleanup = max(i for i, c in enumerate(nb.cells[:stops]) if c.cell_type == "markdown" and c.source.startswith("## "))
    nb.cells[cleanup:cleanup] = [new_code_cell(src, metadata={"tags": ["test-check"]}) for src in CHECK_CELLS]
    # in its place in a copy of the course, as Jupyter runs it: the Korean twin's kernel then speaks Korean
    copy = course_copy(workdir) / lesson.relative_to(NOTEBOOKS)
    nbformat.write(nb, copy)
    kernel_env = dict(os.environ)
    for k, v in env.items():
        if v is None:
            kernel_env.pop(k, None)
        else:
            kernel_env[k] = v
    client = NotebookClient(nb, kernel_name=kernel_name, timeout=CELL_TIMEOUT, startup_timeout=int(STARTUP_TIMEOUT),
                            resources={"metadata": {"path": str(copy.parent)}})
    try:
        with open(log_path, "ab") as log:
            client.execute(env=kernel_env, stdout=log, stderr=subprocess.STDOUT)
    finally:
        nbformat.write(nb, copy)  # what was executed, for a look after a failure
    saved = nbformat.read(copy, as_version=4)
    nbformat.validate(saved)
    return saved


def records(cell) -> list[dict[str, str]]:
    tables = parse_tables(html_of(cell))
    assert tables, f"no table in the output of {cell.source[:60]!r}:\n{text_of(cell)[:2000]}"
    return tables[-1].records()


def dumped(cell) -> list[dict]:
    """The records a dumpTopic cell printed, in (partition, offset) order."""
    return dumped_text("".join(o.text for o in cell.outputs if o.output_type == "stream" and o.name == "stdout"))


def dumped_text(printed: str) -> list[dict]:
    """The records in what dumpTopic printed, in (partition, offset) order."""
    import base64
    import gzip
    out = []
    for line in printed.splitlines():
        if line.startswith("REC\t"):
            _, partition, offset, key, value = line.split("\t")
            out.append({"partition": int(partition), "offset": int(offset),
                        "key": None if key == "-" else gzip.decompress(base64.b64decode(key)).decode(),
                        "value": gzip.decompress(base64.b64decode(value)).decode()})
    return sorted(out, key=lambda r: (r["partition"], r["offset"]))


def title_of(value: str) -> str | None:
    """What from_json(value, schema).title gives for a record: null when the value is not a JSON
    object or has no title (the test's own reading, independent of Spark)."""
    try:
        parsed = json.loads(value)
    except ValueError:
        return None
    if not isinstance(parsed, dict) or parsed.get("title") is None:
        return None
    title = parsed["title"]
    return title if isinstance(title, str) else json.dumps(title)


def cell_title(text: str) -> str | None:
    return None if text == "null" else text


def produced_by_notebook(nb) -> int:
    """How many records the lesson's cells sent to fake_people: --count of the fake producers and the
    lines of the %%kafka produce cells."""
    total = 0
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        m = re.match(r"%kafka produce fake_people --fake people --count (\d+)", cell.source)
        if m:
            total += int(m.group(1))
        elif cell.source.startswith("%%kafka produce fake_people"):
            total += sum(1 for line in cell.source.split("\n")[1:] if line.strip())
    return total


def check_lesson(nb, language: str = "en") -> None:
    """Every cell ran; the lesson's tables agree with what is in the topics; language: what the kernel speaks."""
    for cell in nb.cells:
        if cell.cell_type == "code":
            errors = [o for o in cell.outputs if o.output_type == "error"]
            assert not errors, f"cell failed: {cell.source[:80]!r}: {errors[0].get('ename')}: {errors[0].get('evalue')}"

    # the package: which jar gives format("kafka"), and the coordinate for spark-submit
    package = text_of(code_cell(nb, "lookupDataSource"))
    assert "org.apache.spark.sql.kafka010.KafkaSourceProvider" in package
    assert "spark-sql-kafka-0-10_2.12-3.5.7.jar" in package
    assert "--packages org.apache.spark:spark-sql-kafka-0-10_2.12:3.5.7" in package

    # a first run: there was no topic to delete
    for topic in ("fake_people", "title_counts"):
        deleted = text_of(code_cell(nb, f"%kafka delete {topic} --if-exists"))
        assert said_like(language, "topics.nothing_to_delete", re.escape(topic), r"\S+").search(deleted), deleted
    created = text_of(code_cell(nb, "%kafka create fake_people"))
    assert said_like(language, "topics.created", "fake_people", "3", r"\S+", r"\S+").search(created), created

    # the Kafka source's columns, and the parsed value's
    schema = text_of(code_cell(nb, 'option("startingOffsets", "earliest")'))
    for column in ("key: binary", "value: binary", "topic: string", "partition: integer", "offset: long",
                   "timestamp: timestamp", "timestampType: integer"):
        assert column in schema, schema
    parsed = text_of(code_cell(nb, "from_json(col(\"value\").cast(\"string\"), schema).alias(\"value\")"))
    assert "value: struct" in parsed and "title: string" in parsed

    # what is really in fake_people, read by a plain consumer
    people = dumped(code_cell(nb, CHECK_PEOPLE))
    produced = produced_by_notebook(nb)
    assert len(people) == produced, f"{len(people)} records in fake_people, the lesson produced {produced}"
    expected = collections.Counter(title_of(r["value"]) for r in people)
    bad = [r["value"] for r in people if title_of(r["value"]) is None]
    assert len(bad) == 4, bad  # the lesson's four bad records
    # before the three late records of section 10 (their ids say which they are)
    before_late = collections.Counter(title_of(r["value"]) for r in people if '"id": "late-' not in r["value"])
    assert sum(before_late.values()) == produced - 3

    # the final top 10 of the console query: the counts of what was produced, largest first
    top_cell = code_cell(nb, '.queryName("top_titles")')
    top = records(top_cell)
    assert len(top) == 10, top
    got = [(cell_title(r["title"]), int(r["count"])) for r in top]
    for title, count in got:
        assert expected[title] == count, f"{title}: the top 10 says {count}, the topic has {expected[title]}"
    assert [c for _, c in got] == sorted(expected.values(), reverse=True)[:10]
    assert got[0] == ("Software Engineer", expected["Software Engineer"])
    assert say(language, "liveview.state.stopped") in text_of(top_cell)  # it ran until %stream stop all, and did not fail

    # the micro-batches: the first read the 2,000 records, the ones after it parts of the next 1,000
    progress = code_cell(nb, "%stream progress top_titles")
    assert "<svg" in html_of(progress)
    shown = text_of(progress)
    recent = int(said_like(language, "progress.recent", "top_titles", r"(\d+)").search(shown).group(1))
    batches = [int(line.split(" | ")[2]) for line in shown.splitlines() if re.match(r"\d+ \| ", line)]
    assert recent >= 2 and all(rows <= 1000 for rows in batches[1:]), shown
    if len(batches) == recent:  # the table shows them all (it shows the last 10)
        assert batches[0] == 2000 and sum(batches) == 3000, shown

    # bad input: the query kept running, the four records count under a null title
    null_row = records(code_cell(nb, "FROM title_counts WHERE title IS NULL"))
    assert null_row == [{"title": "null", "count": str(expected[None])}]
    found = records(code_cell(nb, ".where(from_json("))
    assert sorted(r["value"] for r in found) == sorted(bad)

    # the memory table's summary, taken before the bad and the late records
    summary = records(code_cell(nb, "SUM(count) AS people"))[0]
    good_before = {t: n for t, n in before_late.items() if t is not None}
    assert int(summary["people"]) == sum(good_before.values()) == 3000
    assert int(summary["titles"]) == len(good_before)
    assert int(summary["titles_with_5_or_fewer"]) == sum(1 for n in good_before.values() if n <= 5)

    # the Kafka sink: a changelog whose newest record per title is the title's count
    changelog = dumped(code_cell(nb, CHECK_COUNTS))
    newest: dict[str | None, int] = {}
    for r in changelog:  # one partition: in the order they were written
        value = json.loads(r["value"])
        assert value.get("title") == r["key"], r
        newest[r["key"]] = value["count"]
    assert newest == dict(expected), "the newest count per title in title_counts differs from the topic"
    late = records(code_cell(nb, "%kafka consume title_counts --max 2"))
    assert sorted(r["key"] for r in late) == ["Data Engineer", "Software Engineer"]
    assert len(changelog) == len(before_late) + 2  # the first micro-batch wrote every title, the last one two

    # the chart: every bar a count from the topic, the null title drawn as "(no title)"
    chart = html_of(code_cell(nb, "displayHtml(titleChart("))
    assert "<svg" in chart and "(no title)" in chart
    assert f"Top titles of {produced:,} records in fake_people" in html_text(chart)
    for title, count in expected.most_common(3):
        assert f">{title}</text>" in chart and f">{count}</text>" in chart

    assert say(language, "stream.stopped", "top_titles, title_counts, title_counts_to_kafka") in text_of(code_cell(nb, "%stream stop all"))


# --------------------------------------------------------------------------
# The run
# --------------------------------------------------------------------------

def end_brokers(home: Path) -> list[int]:
    """Ends the broker JVMs of a lab home that are still running (after a failed run) and names them."""
    left = broker_pids(home)
    for pid in left:
        os.kill(pid, signal.SIGKILL)
    return left


@pytest.mark.parametrize("lesson", [LESSON, KOREAN_LESSON], ids=["en", "ko"])
def test_lesson_with_the_embedded_broker(lesson, kernel_name, tmp_path, log_dir):
    # as a student runs it: %kafka start starts the lab's own broker
    home = tmp_path / "lab-home"
    port = find_free_port_pair(36092)
    try:
        nb = run_lesson(kernel_name, tmp_path, log_dir / f"lesson-06-embedded-{lesson.parent.name}.log", {
            "SPARK_LAB_HOME": str(home),
            "SPARK_LAB_KAFKA_PORT": str(port),
            "KAFKA_BOOTSTRAP_SERVERS": None,
        }, lesson)
    finally:
        deadline = time.monotonic() + 30  # the lesson's %kafka stop, or the kernel's end, stops it
        while broker_pids(home) and time.monotonic() < deadline:
            time.sleep(0.2)
        left = end_brokers(home)
    assert not left, f"the lab's broker outlived the lesson's kernel: {left}"
    language = "ko" if lesson == KOREAN_LESSON else "en"
    started = text_of(code_cell(nb, "%kafka start"))
    assert said_like(language, "broker.started", r"\S*", re.escape(f"127.0.0.1:{port}"), r"[\d.]+", r"\d+").search(started), started
    check_lesson(nb, language)


def test_lesson_with_an_external_broker(kernel_name, tmp_path, log_dir):
    if not BROKER_JAR.is_file():
        pytest.fail(f"broker jar not found: {BROKER_JAR} (mvn -B -q package -DskipTests builds it)", pytrace=False)
    home = tmp_path / "lab-home"
    broker = ExternalBroker(BROKER_JAR, tmp_path / "external-kafka", find_free_port_pair(33092),
                            log_dir / "lesson-06-external-broker.log")
    try:
        broker.wait_ready(BROKER_READY_TIMEOUT)
        try:
            nb = run_lesson(kernel_name, tmp_path, log_dir / "lesson-06-external.log", {
                "SPARK_LAB_HOME": str(home),
                "SPARK_LAB_KAFKA_PORT": str(find_free_port_pair(35092)),  # must not be used
                "KAFKA_BOOTSTRAP_SERVERS": broker.address,
            })
        finally:
            own = end_brokers(home)
        assert not own, f"the lab started a broker of its own although KAFKA_BOOTSTRAP_SERVERS was set: {own}"
        started = text_of(code_cell(nb, "%kafka start"))
        assert "KAFKA_BOOTSTRAP_SERVERS" in started and broker.address in started, started
        assert text_of(code_cell(nb, "String bootstrap = kafkaBootstrapServers();")).strip() == broker.address
        check_lesson(nb)
        assert "does not stop it" in text_of(code_cell(nb, "%kafka stop"))
        assert broker.proc.poll() is None, "the lesson stopped a Kafka it did not start"
    finally:
        broker.stop()
        assert wait_pid_gone(broker.proc.pid, 10)
