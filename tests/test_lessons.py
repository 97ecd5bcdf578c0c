"""The lesson notebooks, executed end to end by nbclient against the installed kernel, as CI
runs them; the outputs a student would read are checked, not just "no error"."""

from __future__ import annotations

import collections
import os
import shutil
import sys
import subprocess
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

from labharness import ROOT, STARTUP_TIMEOUT, parse_tables, said_like, say

NOTEBOOKS = ROOT / "notebooks"


EDITIONS = ["en", "ko"]  # the course's editions: English in notebooks/, Korean in notebooks/ko/


def edition(name: str, language: str) -> Path:
    """The lesson or exercise `name` (a path under notebooks/) in an edition of the course."""
    return NOTEBOOKS / name if language == "en" else NOTEBOOKS / language / name


def course_copy(workdir: Path) -> Path:
    """A student's copy of the whole notebooks/ folder (the course: course.json, data/, app/, exercises/),
    so that checkpoints and outputs stay out of the repository and the lessons find their files as they
    do anywhere else."""
    dest = workdir / "notebooks"
    if not dest.exists():
        shutil.copytree(NOTEBOOKS, dest, ignore=shutil.ignore_patterns(
            "target", ".ipynb_checkpoints", "checkpoints", "out", "inbox", "spark-warehouse", "chk-point-dir*"))
    return dest


def execute(path: Path, kernel_name: str, workdir: Path, log_dir: Path, env: dict[str, str] | None = None,
            allow_errors: bool = False):
    """Runs the notebook at `path` in a copy of the course made in workdir, in its own folder there (as
    Jupyter runs it); env: more for the kernel."""
    copy = course_copy(workdir) / path.relative_to(NOTEBOOKS)
    nb = nbformat.read(copy, as_version=4)
    client = NotebookClient(nb, kernel_name=kernel_name, timeout=240, startup_timeout=int(STARTUP_TIMEOUT),
                            allow_errors=allow_errors, resources={"metadata": {"path": str(copy.parent)}})
    label = "-".join(path.relative_to(NOTEBOOKS).with_suffix("").parts)
    with open(log_dir / f"notebook-{label}.log", "ab") as log:
        client.execute(stdout=log, stderr=subprocess.STDOUT, **({"env": {**os.environ, **env}} if env else {}))
    nbformat.write(nb, copy)
    saved = nbformat.read(copy, as_version=4)
    nbformat.validate(saved)
    return saved


def cell_with(nb, text: str):
    for cell in nb.cells:
        if cell.cell_type == "code" and text in cell.source:
            return cell
    raise AssertionError(f"no code cell contains {text!r}")


def html_of(cell) -> str:
    return "".join(o.get("data", {}).get("text/html", "") for o in cell.outputs if o.output_type in ("display_data", "execute_result"))


def sent_lines_after(nb, marker: str) -> list[str]:
    """The lines of every %%socket send cell after the cell that contains marker."""
    lines, seen = [], False
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        if marker in cell.source:
            seen = True
        elif seen and cell.source.startswith("%%socket send"):
            lines += cell.source.split("\n")[1:]
    return lines


def words_at_each_snapshot(nb, query_marker: str, snapshot: str) -> list[tuple]:
    """For each `snapshot` cell after the query's cell: (the cell, the words sent to the query before it,
    the text of the markdown cell that follows it)."""
    out, sent, started = [], collections.Counter(), False
    for i, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        if query_marker in cell.source:
            started = True
        elif started and cell.source.startswith("%%socket send"):
            sent.update(w for line in cell.source.split("\n")[1:] for w in line.split(" "))
        elif started and cell.source.strip() == snapshot:
            after = next((c.source for c in nb.cells[i + 1:] if c.cell_type == "markdown"), "")
            out.append((cell, collections.Counter(sent), after))
    return out


# how lesson 5's text says how often `the` came, in each edition
SNAPSHOT_TEXT = {
    "en": lambda n: "`the` twice" if n == 2 else f"`the` {n} times",
    "ko": lambda n: f"`the`는 {n}번",
}


@pytest.mark.parametrize("language", EDITIONS)
def test_socket_wordcount_lesson(language, kernel_name, tmp_path, log_dir):
    nb = execute(edition("05-socket-wordcount.ipynb", language), kernel_name, tmp_path, log_dir)
    for cell in nb.cells:
        if cell.cell_type == "code":
            errors = [o for o in cell.outputs if o.output_type == "error"]
            assert not errors, f"cell failed: {cell.source[:80]!r}: {errors[0].get('evalue')}"

    # the query's cell holds the live table as of the end: every word sent while it ran, counted
    query_cell = cell_with(nb, '.queryName("word_count")')
    expected = collections.Counter(w for line in sent_lines_after(nb, '.queryName("word_count")') for w in line.split(" "))
    tables = parse_tables(html_of(query_cell))
    assert tables, "the query's cell has no live table saved"
    got = {r["word"]: int(r["count"]) for r in tables[-1].records()}
    shown = sorted(expected.items(), key=lambda kv: -kv[1])
    assert len(got) == min(20, len(expected))
    for word, count in got.items():
        assert expected[word] == count, f"{word}: table says {count}, {expected[word]} were sent"
    assert got.get("the") == expected["the"] == shown[0][1]
    assert say(language, "liveview.state.stopped") in "".join(o.get("data", {}).get("text/plain", "") for o in query_cell.outputs)

    # each --snapshot kept the table of its step, by count then word, and the text says what it shows
    snapshots = words_at_each_snapshot(nb, '.queryName("word_count")', "%stream show word_count --snapshot")
    assert len(snapshots) == 2, "lesson 5 shows the table after each of its first two sends"
    for n, (cell, sent, after) in enumerate(snapshots):
        got = [(r["word"], int(r["count"])) for r in last_table(cell).records()]
        assert got == sorted(sent.items(), key=lambda kv: (-kv[1], kv[0])), (n, got, sent)
        assert "as of batch" in text_of(cell) or "시점" in text_of(cell)
        named = SNAPSHOT_TEXT[language](sent["the"])
        assert named in after, f"the text after snapshot {n + 1} should say {named!r}: {after!r}"
    assert dict(snapshots[0][1]) != dict(expected), "the first snapshot should show an earlier step than the end"

    # the DataFrame-API query only saw what was sent after it started
    sql = cell_with(nb, "FROM word_count_api")
    top = parse_tables(html_of(sql))[-1].records()
    after = collections.Counter(w for line in sent_lines_after(nb, '.queryName("word_count_api")') for w in line.split(" "))
    assert int(top[0]["count"]) == max(after.values())
    for row in top:  # update mode appends a row per change: earlier, smaller counts may be there too
        assert int(row["count"]) <= after[row["word"]]

    # the checkpoint was shown with its parts
    chk = "".join(o.get("data", {}).get("text/plain", "") for o in cell_with(nb, "%checkpoint show").outputs)
    for part in ("metadata", "offsets/", "commits/", "state/"):
        assert part in chk


# --------------------------------------------------------------------------
# Helpers for the lessons below
# --------------------------------------------------------------------------

LESSONS = sorted(NOTEBOOKS.glob("[0-9][0-9]-*.ipynb"))


def expects_error(cell) -> bool:
    return "raises-exception" in cell.get("metadata", {}).get("tags", [])


def assert_runs_clean(nb) -> None:
    """No cell failed, except the ones tagged raises-exception, and those did fail (as the lesson says)."""
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        errors = [o for o in cell.outputs if o.output_type == "error"]
        if expects_error(cell):
            assert errors, f"this cell should fail, as the lesson explains, but did not: {cell.source[:80]!r}"
        else:
            assert not errors, f"cell failed: {cell.source[:80]!r}: {errors[0].get('evalue')}"


def error_of(cell) -> str:
    return " ".join(f"{o.ename}: {o.evalue}" for o in cell.outputs if o.output_type == "error")


def text_of(cell) -> str:
    """Everything a cell printed or showed as text."""
    parts = []
    for o in cell.outputs:
        if o.output_type == "stream":
            parts.append(o.text)
        elif "data" in o:
            parts.append(o.data.get("text/plain", ""))
    return "\n".join(parts)


def last_table(cell):
    tables = parse_tables(html_of(cell))
    assert tables, f"no table in the output of {cell.source[:60]!r}"
    return tables[-1]


def data_rows(folder: str, suffix: str) -> dict[str, list[dict]]:
    """The lesson input files of notebooks/data/FOLDER, by file name, as dicts (JSON lines or CSV)."""
    import csv
    import json
    out = {}
    for f in sorted((NOTEBOOKS / "data" / folder).glob(f"*{suffix}")):
        if suffix == ".json":
            out[f.name] = [json.loads(line) for line in f.read_text().splitlines() if line.strip()]
        else:
            with open(f, newline="") as fh:
                out[f.name] = list(csv.DictReader(fh))
    return out


# --------------------------------------------------------------------------
# Lesson 1: what Structured Streaming is
# --------------------------------------------------------------------------

@pytest.mark.parametrize("language", EDITIONS)
def test_what_is_structured_streaming_lesson(language, kernel_name, tmp_path, log_dir):
    nb = execute(edition("01-what-is-structured-streaming.ipynb", language), kernel_name, tmp_path, log_dir)
    assert_runs_clean(nb)
    assert "writeStream.start()" in error_of(cell_with(nb, "ticks.show();"))

    # each micro-batch starts at the offset where the one before it ended; 5 rows per second of offset
    offsets = last_table(cell_with(nb, "offsetRows")).records()
    assert len(offsets) >= 4, offsets
    assert offsets[0]["start_offset"] == "null"
    for before, batch in zip(offsets, offsets[1:]):
        assert int(batch["batch"]) == int(before["batch"]) + 1
        assert batch["start_offset"] == before["end_offset"], offsets
        assert int(batch["input_rows"]) == 5 * (int(batch["end_offset"]) - int(batch["start_offset"])), batch

    # the live view, the progress chart, the time line and the checkpoint
    assert say(language, "liveview.state.stopped") in text_of(cell_with(nb, '.queryName("ticks")'))
    progress = cell_with(nb, "%stream progress ticks")
    assert "<svg" in html_of(progress) and said_like(language, "progress.recent", "ticks", r"\d+").search(text_of(progress))
    timeline = html_of(cell_with(nb, "displayHtml(batchTimeline(ticksQuery))"))
    assert "<svg" in timeline and "batch 0" in timeline and "batch 3" in timeline
    chk = text_of(cell_with(nb, "%checkpoint show checkpoints/ticks"))
    assert "offsets/" in chk and "commits/" in chk
    assert '"startOffset"' in text_of(cell_with(nb, "prettyJson()"))

    # which sources this Spark has built in
    formats = {r["format"]: r["provided_by"] for r in last_table(cell_with(nb, "lookupDataSource")).records()}
    assert formats["kafka"].endswith("KafkaSourceProvider")
    assert formats["socket"].endswith("TextSocketSourceProvider")
    assert formats["rate"].endswith("RateStreamProvider")
    for missing in ("kinesis", "flume"):
        assert formats[missing].startswith("not built in") and "DATA_SOURCE_NOT_FOUND" in formats[missing]
    assert say(language, "liveview.state.stopped") in text_of(cell_with(nb, "%stream list"))


# --------------------------------------------------------------------------
# Lesson 2: sources and sinks
# --------------------------------------------------------------------------

def orders_in(source: str) -> dict[int, dict]:
    """The café orders a lesson writes from its cells (JSON in Java strings, or Kafka records), by id."""
    import json
    import re
    out = {}
    for text in re.findall(r'\{\\?"order_id\\?".*?\}', source):
        order = json.loads(text.replace('\\"', '"'))
        out[order["order_id"]] = order
    return out


def amount(order: dict) -> float:
    return round(order["quantity"] * order["unit_price"] + 1e-9, 2)


@pytest.mark.parametrize("language", EDITIONS)
def test_sources_and_sinks_lesson(language, kernel_name, tmp_path, log_dir):
    import json
    nb = execute(edition("02-sources-and-sinks.ipynb", language), kernel_name, tmp_path, log_dir)
    assert_runs_clean(nb)
    files = orders_in("".join(c.source for c in nb.cells if c.cell_type == "code" and "dropFile(\"inbox/orders\"" in c.source))
    kafka = orders_in(cell_with(nb, "%%kafka produce orders").source)
    assert len(files) == 8 and len(kafka) == 4

    # socket: the lines sent, shouted
    shouts = text_of(cell_with(nb, '.queryName("shouts")'))
    assert "HELLO STREAMS" in shouts and "SOURCES AND SINKS" in shouts

    # file source: the memory sink saw the seven orders dropped while it ran, with their amounts
    seen = last_table(cell_with(nb, "FROM orders_seen")).records()
    assert [int(r["order_id"]) for r in seen] == [1, 2, 3, 4, 5, 6, 7]
    for r in seen:
        assert float(r["amount"]) == amount(files[int(r["order_id"])]) and r["customer"] == files[int(r["order_id"])]["customer"]

    # Kafka source: every record, parsed; one customer's records share a partition
    records = last_table(cell_with(nb, "FROM kafka_orders")).records()
    assert sorted(int(r["order_id"]) for r in records) == sorted(kafka)
    partitions = collections.defaultdict(set)
    for r in records:
        assert r["key"] == r["customer"] == kafka[int(r["order_id"])]["customer"]
        partitions[r["key"]].add(r["partition"])
    assert all(len(p) == 1 for p in partitions.values()), partitions

    # file sinks: Parquet read back, JSON lines, the metadata log; no checkpoint, no file sink
    parquet = last_table(cell_with(nb, 'spark.read().parquet("out/orders-parquet")')).records()
    assert [int(r["order_id"]) for r in parquet] == [1, 2, 3, 4, 5, 6, 7]
    listing = text_of(cell_with(nb, 'Files.walk(Path.of("out"))'))
    assert "out/orders-parquet/_spark_metadata/0" in listing and "out/orders-json/_spark_metadata/0" in listing
    for line in text_of(cell_with(nb, 'Path.of("out/orders-json")')).splitlines()[1:]:
        if line.strip():
            order = json.loads(line)
            assert order["amount"] == amount(files[order["order_id"]])
    assert "checkpointLocation must be specified" in error_of(cell_with(nb, '.queryName("orders_no_checkpoint")'))

    # Kafka sink: one record per order, keyed by customer, with the amount
    written = last_table(cell_with(nb, "%kafka consume order_amounts")).records()
    got = sorted((r["key"], json.loads(r["value"])["order_id"], json.loads(r["value"])["amount"]) for r in written)
    assert got == sorted((o["customer"], i, amount(o)) for i, o in kafka.items())

    # foreachBatch into H2: all eight orders, the last one written by the second micro-batch
    db = last_table(cell_with(nb, "SELECT order_id, customer, item, amount, batch_id FROM orders")).records()
    assert [int(r["order_id"]) for r in db] == list(range(1, 9))
    assert [r["batch_id"] for r in db] == ["0"] * 7 + ["1"]
    for r in db:
        assert float(r["amount"]) == amount(files[int(r["order_id"])])
    chk = text_of(cell_with(nb, "%checkpoint show checkpoints/orders-db"))
    assert "offsets/" in chk and "commits/" in chk


# --------------------------------------------------------------------------
# Lesson 3: output modes
# --------------------------------------------------------------------------

def written_by_step(table) -> dict[str, list[list[str]]]:
    """The side-by-side table of lesson 3 as {query: [rows written after file 1, after file 2, ...]}."""
    import re
    out = collections.defaultdict(list)
    for record in table.records():
        for query, cell in record.items():
            if query == "after":
                continue
            rows = []
            for chunk in re.split(r"batch \d+: ", cell):
                chunk = chunk.strip()
                if chunk and chunk != "(nothing)":
                    rows += chunk.split(", ")
            out[query].append(sorted(rows))
    return out


def minute(ts: str) -> int:
    hh, mm = ts[11:16].split(":")
    return int(hh) * 60 + int(mm)


def window_label(start: int) -> str:
    return f"{start // 60:02d}:{start % 60:02d}–{(start + 10) // 60:02d}:{(start + 10) % 60:02d}"


@pytest.mark.parametrize("language", EDITIONS)
def test_output_modes_lesson(language, kernel_name, tmp_path, log_dir):
    nb = execute(edition("03-output-modes.ipynb", language), kernel_name, tmp_path, log_dir)
    assert_runs_clean(nb)
    assert "Append output mode not supported" in error_of(cell_with(nb, '.queryName("pages_append")'))
    files = list(data_rows("clicks", ".json").values())
    assert len(files) == 3

    # update writes the pages whose count changed, complete the whole table, after each file
    pages = written_by_step(last_table(cell_with(nb, 'sideBySide("pages_update"')))
    counts: collections.Counter = collections.Counter()
    for step, clicks in enumerate(files):
        before = dict(counts)
        counts.update(c["page"] for c in clicks)
        changed = sorted(f"{p}: {n}" for p, n in counts.items() if before.get(p) != n)
        assert pages["pages_update"][step] == changed, (step, pages)
        assert pages["pages_complete"][step] == sorted(f"{p}: {n}" for p, n in counts.items()), (step, pages)

    # windows of 10 minutes with a 5-minute watermark, worked out here from the files
    windows = written_by_step(last_table(cell_with(nb, 'sideBySide("windows_append"')))
    kept: collections.Counter = collections.Counter()      # append and update: late clicks dropped
    everything: collections.Counter = collections.Counter()  # complete: keeps all
    watermark, latest, emitted = None, None, set()
    for step, clicks in enumerate(files):
        before = dict(kept)
        for c in clicks:
            m = minute(c["time"])
            everything[m // 10 * 10] += 1
            if watermark is None or m >= watermark:
                kept[m // 10 * 10] += 1
        latest = max([latest or 0] + [minute(c["time"]) for c in clicks])
        watermark = latest - 5
        final = sorted(w for w in kept if w + 10 <= watermark and w not in emitted)
        emitted.update(final)
        assert windows["windows_append"][step] == sorted(f"{window_label(w)}: {kept[w]}" for w in final), (step, windows)
        assert windows["windows_update"][step] == sorted(f"{window_label(w)}: {n}" for w, n in kept.items() if before.get(w) != n)
        assert windows["windows_complete"][step] == sorted(f"{window_label(w)}: {n}" for w, n in everything.items())
    assert everything != kept, "the lesson's data should have a click that comes too late"

    figure = html_of(cell_with(nb, "eventTimeFigure(clicksByFile, watermarkAfter)"))
    assert "<svg" in figure and f"watermark {watermark // 60:02d}:{watermark % 60:02d}" in figure
    dropped = text_of(cell_with(nb, "numRowsDroppedByWatermark"))
    late = sum(everything.values()) - sum(kept.values())
    assert f"windows_append    dropped as too late: {late}" in dropped
    assert "windows_complete  dropped as too late: 0" in dropped


# --------------------------------------------------------------------------
# Lesson 4: triggers
# --------------------------------------------------------------------------

@pytest.mark.parametrize("language", EDITIONS)
def test_triggers_lesson(language, kernel_name, tmp_path, log_dir):
    nb = execute(edition("04-triggers.ipynb", language), kernel_name, tmp_path, log_dir)
    assert_runs_clean(nb)
    readings = [r for rows in data_rows("sensors", ".csv").values() for r in rows]

    # every trigger gave the sink the same rows: the summary per sensor, as Python works it out
    expected = {}
    for sensor in sorted({r["sensor"] for r in readings}):
        temps = [float(r["temp"]) for r in readings if r["sensor"] == sensor]
        expected[sensor] = (len(temps), sum(temps) / len(temps))
    def matches(row) -> bool:  # a count, and an average rounded to 2 decimals
        count, average = expected[row["sensor"]]
        return int(row["readings"]) == count and abs(float(row["avg_temp"]) - average) <= 0.005 + 1e-9

    summary = last_table(cell_with(nb, "FROM sensors_default")).records()
    assert len(summary) == 3 * len(expected)
    assert {r["trigger"] for r in summary} == {"default", "2 seconds", "available-now"}
    for row in summary:
        assert matches(row), (row, expected)
    batch = last_table(cell_with(nb, 'spark.read().schema(readingSchema)')).records()
    assert sorted(r["sensor"] for r in batch) == sorted(expected) and all(matches(r) for r in batch)

    # six files, one per micro-batch; available-now stopped by itself
    assert say(language, "progress.recent", "sensors_2s", 6) in text_of(cell_with(nb, "%stream progress sensors_2s"))
    assert "still active: false, micro-batches: 6" in text_of(cell_with(nb, "availableNow.awaitTermination()"))
    timeline = html_of(cell_with(nb, "triggerTimeline(List.of("))
    for lane in ("sensors_default", "sensors_2s", "sensors_available_now"):
        assert lane in timeline

    # continuous: no progress reports, rows keep coming; aggregations refused
    samples = last_table(cell_with(nb, "ticks_continuous\").count()")).records()
    counts = [int(r["rows_in_sink"]) for r in samples]
    assert counts == sorted(counts) and counts[-1] > 0, counts
    assert "lastProgress: null" in text_of(cell_with(nb, "ticks_continuous\").count()"))
    # ... but the lab follows its epochs: the view's header and %stream progress
    epochs = text_of(cell_with(nb, "%stream progress ticks_continuous"))
    assert said_like(language, "progress.continuous", "ticks_continuous", r"\d+", r"\d+").search(epochs), epochs
    assert f"| {say(language, 'liveview.epoch')} " in text_of(cell_with(nb, '.queryName("ticks_continuous")'))
    assert "Continuous processing does not support Aggregate" in error_of(cell_with(nb, '.queryName("continuous_count")'))


# --------------------------------------------------------------------------
# Lesson 7: checkpoints and fault tolerance
# --------------------------------------------------------------------------

@pytest.mark.parametrize("kafka, language", [("embedded", "en"), ("external", "en"), ("embedded", "ko")])
def test_checkpoints_and_fault_tolerance_lesson(kafka, language, kernel_name, tmp_path, log_dir):
    # with the lab's embedded broker, and against a Kafka the test starts and names in
    # KAFKA_BOOTSTRAP_SERVERS, as on a class's own cluster (lesson 6 is run both ways too)
    import json
    from decimal import Decimal
    if kafka == "embedded":
        nb = execute(edition("07-checkpoints-and-fault-tolerance.ipynb", language), kernel_name, tmp_path, log_dir)
    else:
        sys.path.insert(0, str(Path(__file__).resolve().parent / "kafka"))
        from kafkaharness import BROKER_JAR, BROKER_READY_TIMEOUT, ExternalBroker, find_free_port_pair
        broker = ExternalBroker(BROKER_JAR, tmp_path / "external-kafka", find_free_port_pair(34092),
                                log_dir / "lesson-07-external-broker.log")
        try:
            broker.wait_ready(BROKER_READY_TIMEOUT)
            nb = execute(edition("07-checkpoints-and-fault-tolerance.ipynb", language), kernel_name, tmp_path, log_dir,
                         env={"KAFKA_BOOTSTRAP_SERVERS": broker.address, "SPARK_LAB_HOME": str(tmp_path / "lab-home")})
            assert broker.proc.poll() is None, "the lesson stopped a Kafka it did not start"
        finally:
            broker.stop()
        started = text_of(cell_with(nb, "%kafka start"))
        assert "KAFKA_BOOTSTRAP_SERVERS" in started and broker.address in started, started
    assert_runs_clean(nb)
    files = list(data_rows("clicks", ".json").values())

    # the counts go on across stops: after run 1, 2 and 3 they are the counts of 1, 2 and 3 files
    tables = [last_table(c).records() for c in nb.cells if c.cell_type == "code" and "FROM page_counts" in c.source]
    assert len(tables) == 3
    for n, table in enumerate(tables, start=1):
        counts = collections.Counter(c["page"] for f in files[:n] for c in f)
        assert {r["page"]: int(r["count"]) for r in table} == dict(counts), (n, table)

    # the checkpoint after the first run, and the file source's own log
    chk = text_of(cell_with(nb, "%checkpoint show checkpoints/page_counts"))
    assert "offsets/" in chk and "commits/" in chk and "state/" in chk and '{"logOffset":0}' in chk
    assert "clicks-1.json" in text_of(cell_with(nb, "sources/0/0"))

    # a changed stateful query is refused; the runs' batches go on, one file each
    refused = error_of(cell_with(nb, '.queryName("page_user_counts")'))
    assert "StateSchemaNotCompatible" in refused or "state format invalidation" in refused, refused
    runs = last_table(cell_with(nb, "byRun.put")).records()
    assert [(r["run"], r["batch"], int(r["input_rows"])) for r in runs] == \
        [("first", "0", len(files[0])), ("second", "1", len(files[1])), ("third", "2", len(files[2]))]
    assert [r["end_offset"] for r in runs] == ['{"logOffset":0}', '{"logOffset":1}', '{"logOffset":2}']

    # exactly-once: both writers crashed after batch 1; the replay doubled the naive balances only
    payments = [json.loads(line.split("\t", 1)[1]) for line in cell_with(nb, "%%kafka produce payments").source.splitlines()[1:]]
    assert len(payments) == 12
    crashed = text_of(cell_with(nb, 'startWriter("bank_naive", naiveWriter);\nStreamingQuery idempotent'))
    assert "bank_naive failed: simulated crash" in crashed and "bank_idempotent failed: simulated crash" in crashed
    gap = text_of(cell_with(nb, "%checkpoint show checkpoints/bank_naive"))
    assert "offsets/1" in gap
    log = text_of(cell_with(nb, "writerLog.forEach"))
    assert "idempotent: batch 1 already applied, skipped" in log
    balances = last_table(cell_with(nb, "expected.join(naiveTotals")).records()
    replayed = payments[4:8]  # maxOffsetsPerTrigger 4: batch 1 is payments 5 to 8
    for row in balances:
        total = sum(Decimal(str(p["amount"])) for p in payments if p["account"] == row["account"])
        again = sum(Decimal(str(p["amount"])) for p in replayed if p["account"] == row["account"])
        assert Decimal(row["expected"]) == Decimal(row["idempotent"]) == total, row
        assert Decimal(row["naive"]) == total + again, row
    assert len(balances) == 3


# --------------------------------------------------------------------------
# Lesson 8: from notebook to application
# --------------------------------------------------------------------------

@pytest.mark.parametrize("language", EDITIONS)
def test_from_notebook_to_application_lesson(language, kernel_name, tmp_path, log_dir):
    nb = execute(edition("08-from-notebook-to-application.ipynb", language), kernel_name, tmp_path, log_dir)
    assert_runs_clean(nb)
    assert "public static void main" in text_of(cell_with(nb, "TitleAnalysis.java\"))));"))
    assert "spark-sql-kafka-0-10" in text_of(cell_with(nb, 'courseFile("app/pom.xml")'))
    assert "javac: compiled, no errors" in text_of(cell_with(nb, "getSystemJavaCompiler()"))
    assert "main is running its query: title_counts" in text_of(cell_with(nb, "appMain.start()"))

    # the program's top 10, as its console sink showed it, is the top 10 of the whole topic
    shown = last_table(cell_with(nb, "%stream show title_counts")).records()
    batch = last_table(cell_with(nb, '"$.title"')).records()
    assert len(shown) == 10 and shown == batch, (shown, batch)
    counts = [int(r["count"]) for r in shown]
    assert counts == sorted(counts, reverse=True) and sum(counts) <= 3000
    assert "main still running: false" in text_of(cell_with(nb, "appMain.join"))


def test_lesson_8_application_compiles_against_the_kernels_spark(kernel_jar, tmp_path):
    """notebooks/app is a program for spark-submit: it compiles against the Spark and Kafka connector
    jars the kernel ships (the versions its pom.xml names)."""
    import shutil as sh
    javac = sh.which("javac")
    if not javac:
        pytest.skip("no javac on PATH")
    lib = kernel_jar.parent / "lib"
    sources = sorted(str(p) for p in (NOTEBOOKS / "app" / "src" / "main" / "java").rglob("*.java"))
    proc = subprocess.run([javac, "-d", str(tmp_path), "-cp", str(lib / "*"), *sources],
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    assert (tmp_path / "lab" / "TitleAnalysis.class").is_file()
    pom = (NOTEBOOKS / "app" / "pom.xml").read_text()
    for jar in ("spark-sql_2.12-3.5.7.jar", "spark-sql-kafka-0-10_2.12-3.5.7.jar"):
        assert (lib / jar).is_file(), f"the kernel ships no {jar}: update notebooks/app/pom.xml and lesson 8"
    assert "<spark.version>3.5.7</spark.version>" in pom and "<scala.binary.version>2.12</scala.binary.version>" in pom


# --------------------------------------------------------------------------
# The Korean edition
# --------------------------------------------------------------------------

def hangul(text: str) -> int:
    return sum("\uac00" <= ch <= "\ud7a3" for ch in text)


def unrendered_emphasis(text: str) -> list[str]:
    """The `**` and `*` of a paragraph that Markdown (CommonMark's flanking rules, as Jupyter renders) cannot
    open or close: Korean puts a particle right after the bold word, so `**`name`**입니다` shows its stars. A
    closing `**` after punctuation (a backtick, a bracket) must be followed by a space or punctuation."""
    import re
    import string
    import unicodedata

    def punct(ch: str) -> bool:
        return ch in string.punctuation or unicodedata.category(ch).startswith("P")

    def space(ch: str) -> bool:
        return ch == "" or ch.isspace()

    bad = []
    for paragraph in re.split(r"\n\s*\n", text):
        plain = re.sub(r"`[^`]*`", lambda m: "`" + "x" * (len(m.group()) - 2) + "`", paragraph)  # code keeps its stars
        plain = re.sub(r"(?m)^(\s*)\*(?= )", r"\1-", plain)  # a list's bullet is no emphasis
        for run in (r"(?<!\*)\*\*(?!\*)", r"(?<!\*)\*(?!\*)"):  # bold, then italics: each opens, then closes
            for n, star in enumerate(re.finditer(run, plain)):
                before = plain[star.start() - 1] if star.start() else ""
                after = plain[star.end()] if star.end() < len(plain) else ""
                if n % 2 == 0:
                    ok = not space(after) and (not punct(after) or space(before) or punct(before))
                else:
                    ok = not space(before) and (not punct(before) or space(after) or punct(after))
                if not ok:
                    bad.append(paragraph[max(0, star.start() - 30):star.end() + 10].replace("\n", " "))
    return bad


def assert_korean_twin(english: Path, twin: Path, korean_letters: int) -> None:
    """twin is the Korean edition of english: the same code cells in the same order with the same tags, the
    same notebook metadata (the kernel), every text cell in Korean, and no outputs."""
    name = twin.relative_to(NOTEBOOKS)
    assert twin.exists(), f"{english.relative_to(NOTEBOOKS)} has no Korean edition: {name} is missing"
    en, ko = nbformat.read(english, as_version=4), nbformat.read(twin, as_version=4)
    en_code = [(c.source, c.metadata.get("tags", [])) for c in en.cells if c.cell_type == "code"]
    ko_code = [(c.source, c.metadata.get("tags", [])) for c in ko.cells if c.cell_type == "code"]
    assert en_code == ko_code, f"{name}: the code cells differ from the English notebook's " \
                               "(notebooks/tools/sync_editions.py copies them)"
    assert ko.metadata == en.metadata, f"{name}: its notebook metadata (kernelspec) differs from the English one's"
    markdown = [c.source for c in ko.cells if c.cell_type == "markdown"]
    assert hangul("".join(markdown)) > korean_letters, f"{name} is not in Korean"
    english_left = [m[:60] for m in markdown if not hangul(m)]
    assert not english_left, f"{name}: text cells not translated: {english_left}"
    for path, nb in ((english, en), (twin, ko)):
        for c in nb.cells:
            assert c.cell_type != "code" or (not c.outputs and c.execution_count is None), \
                f"{path.relative_to(NOTEBOOKS)} is committed with outputs: clear them"


def test_every_lesson_has_a_korean_twin_with_the_same_code():
    assert LESSONS, "no lessons in notebooks/"
    for lesson in LESSONS:
        assert_korean_twin(lesson, NOTEBOOKS / "ko" / lesson.name, korean_letters=200)
        for cell in nbformat.read(NOTEBOOKS / "ko" / lesson.name, as_version=4).cells:
            stars = unrendered_emphasis(cell.source) if cell.cell_type == "markdown" else []
            assert not stars, f"ko/{lesson.name}: emphasis that Markdown shows as stars: {stars}"


EXERCISE_NOTEBOOKS = sorted((NOTEBOOKS / "exercises").glob("*.ipynb"))


def test_every_exercise_has_a_korean_twin_with_the_same_code():
    assert EXERCISE_NOTEBOOKS, "no exercises in notebooks/exercises/"
    for exercise in EXERCISE_NOTEBOOKS:
        twin = NOTEBOOKS / "ko" / "exercises" / exercise.name
        assert_korean_twin(exercise, twin, korean_letters=150)
        ko = nbformat.read(twin, as_version=4)
        for cell in ko.cells:
            stars = unrendered_emphasis(cell.source) if cell.cell_type == "markdown" else []
            assert not stars, f"ko/exercises/{exercise.name}: emphasis that Markdown shows as stars: {stars}"
    # and nothing in the Korean folder without an English original
    extra = {p.name for p in (NOTEBOOKS / "ko" / "exercises").glob("*.ipynb")} - {p.name for p in EXERCISE_NOTEBOOKS}
    assert not extra, f"notebooks/ko/exercises has notebooks the English edition does not: {sorted(extra)}"


def test_every_check_has_a_korean_title_and_hints():
    """The checks serve both editions: every title (.named) and every hint has its Korean one right after it,
    and the Korean one is Korean."""
    import re
    checks = sorted((NOTEBOOKS / "exercises" / "checks").glob("*.jsh"))
    assert checks, "no checks in notebooks/exercises/checks/"
    for check in checks:
        java = check.read_text(encoding="utf-8")
        calls = list(re.finditer(r'\.(named|hint)\(\s*("ko"\s*,)?', java))
        said = [(c.group(1), bool(c.group(2))) for c in calls]
        hints = sum(1 for kind, ko in said if kind == "hint" and not ko)
        assert hints, f"{check.name} gives no hint"
        assert said == [("named", False), ("named", True)] + [("hint", False), ("hint", True)] * hints, \
            f"{check.name}: every .named(...) and .hint(...) needs its Korean one right after it " \
            f"(.named(\"ko\", ...), .hint(\"ko\", ...)): {said}"
        for call, following in zip(calls, calls[1:] + [None]):
            if call.group(2):
                text = java[call.end():following.start() if following else len(java)]
                assert hangul(text), f"{check.name}: a Korean {call.group(1)} without Korean: {text[:80]!r}"


# --------------------------------------------------------------------------
# Running a lesson again, in the same folder
# --------------------------------------------------------------------------

# tables that hold times, ids or sizes of this run, not the lesson's results
RUN_DEPENDENT = ("%stream list", "%stream progress", "%checkpoint show")


# a foreachBatch query's live view lists its recent batches with their rates, durations and clock times
RECENT_BATCHES = ["batch", "input rows", "processed rows/s", "duration ms", "time"]


def result_tables(nb) -> list[tuple[str, list[dict]]]:
    """Every table the lesson shows as a result, cell by cell: (the cell's first line, the table's rows), the
    timings of a run left out."""
    out = []
    for cell in nb.cells:
        if cell.cell_type != "code" or cell.source.startswith(RUN_DEPENDENT):
            continue
        for table in parse_tables(html_of(cell)):
            rows = table.records()
            if rows and list(rows[0]) == RECENT_BATCHES:
                rows = [{"batch": r["batch"], "input rows": r["input rows"]} for r in rows]
            out.append((cell.source.split("\n")[0], rows))
    return out


def git(repo: Path, *args: str) -> str:
    proc = subprocess.run(["git", "-C", str(repo), "-c", "user.name=lab", "-c", "user.email=lab@example.invalid", *args],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, f"git {' '.join(args)}: {proc.stderr}"
    return proc.stdout


@pytest.mark.timeout(1200)  # two runs of a lesson
@pytest.mark.parametrize("lesson", ["05-socket-wordcount.ipynb", "03-output-modes.ipynb"])
def test_a_lesson_run_again_in_the_same_folder_gives_the_same_tables_and_leaves_git_clean(
        lesson, kernel_name, tmp_path, log_dir):
    # a student's clone: the course with the repository's .gitignore, committed, then the lesson run twice in it
    repo = tmp_path / "clone"
    course_copy(repo)
    shutil.copy(ROOT / ".gitignore", repo / ".gitignore")
    git(repo, "init", "-q")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "the course")

    first = execute(NOTEBOOKS / lesson, kernel_name, repo, log_dir)
    assert_runs_clean(first)
    git(repo, "checkout", "-q", "--", f"notebooks/{lesson}")  # as it was committed, without the first run's outputs
    second = execute(NOTEBOOKS / lesson, kernel_name, repo, log_dir)
    assert_runs_clean(second)

    tables = result_tables(first)
    assert len(tables) >= 3, tables
    assert result_tables(second) == tables, "the second run's tables differ from the first's"

    # what the lesson wrote (checkpoints, inbox/, out/, ...) is ignored; it changed no file of the course but itself
    status = git(repo, "status", "--porcelain", "--untracked-files=all").splitlines()
    assert [s for s in status if s.startswith("??")] == [], status
    assert [s for s in status if not s.endswith(f"notebooks/{lesson}")] == [], status
