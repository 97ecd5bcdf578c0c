"""Streaming in the notebook: a query started in one cell shows a live table under that cell,
updated (update_display_data on one display id) as lines arrive from later cells."""

from __future__ import annotations

import socket
import time

import pytest

from labharness import parse_tables

WORDCOUNT = """Dataset<Row> {v}Lines = spark.readStream().format("socket")
    .option("host", "localhost").option("port", {port}).load();
Dataset<Row> {v}Counts = {v}Lines.select(expr("explode(split(value, ' ')) as word")).groupBy("word").count();
StreamingQuery {v}Query = {v}Counts.writeStream().format("console").outputMode("complete")
    .option("checkpointLocation", "{chk}").queryName("{name}").start();"""


def display_id(msg: dict) -> str | None:
    return (msg["content"].get("transient") or {}).get("display_id")


def counts_in(html: str) -> dict[str, int]:
    """{word: count} of the live view's table."""
    tables = parse_tables(html)
    assert tables, f"no table in the live view:\n{html[:500]}"
    return {r["word"]: int(r["count"]) for r in tables[-1].records()}


def view_updates(results, view_id: str) -> list[dict]:
    return [m for r in results for m in r.of_type("update_display_data") if display_id(m) == view_id]


@pytest.fixture
def clean_streams(spark_kernel):
    yield spark_kernel
    spark_kernel.run("%stream stop all")
    spark_kernel.run("%socket stop")


def test_lines_sent_later_update_the_first_cells_live_table(clean_streams, tmp_path):
    k = clean_streams
    k.ok("%socket start 9911")
    start = k.ok(WORDCOUNT.format(v="a", port=9911, chk=tmp_path / "chk", name="live_wc"))
    shown = start.of_type("display_data")
    assert shown, f"starting the query showed no live view:\n{start.describe()}"
    view = display_id(shown[0])
    assert view, "the live view has no display_id, so it cannot be updated in place"
    assert "live_wc" in shown[0]["content"]["data"]["text/html"]
    assert "ACTIVE" in shown[0]["content"]["data"]["text/plain"]

    sent = k.ok("%%socket send 9911\nhello world hello\nspark")
    assert "Sent 2 line(s) to 1 client" in sent.plain
    waited = k.ok("%stream wait live_wc --timeout 90")
    updates = view_updates([sent, waited], view)
    assert updates, "no update_display_data for the query's display id"
    assert counts_in(updates[-1]["content"]["data"]["text/html"]) == {"hello": 2, "world": 1, "spark": 1}

    # more lines, read by a cell that is not a %stream magic: the table follows
    more = k.ok("%%socket send 9911\nhello again")
    later = k.ok("%stream wait live_wc --timeout 90")
    last = view_updates([more, later], view)[-1]["content"]["data"]
    assert counts_in(last["text/html"]) == {"hello": 3, "world": 1, "spark": 1, "again": 1}
    assert "4 rows in table" in last["text/plain"]


def test_update_arrives_while_no_cell_runs(clean_streams, tmp_path):
    """JupyterLab and Notebook route updates by display id to the cell that showed it, also after
    that cell finished: the update must come even when no cell is running."""
    k = clean_streams
    k.ok("%socket start 9912")
    start = k.ok(WORDCOUNT.format(v="b", port=9912, chk=tmp_path / "chk", name="idle_wc"))
    view = display_id(start.of_type("display_data")[0])
    k.ok("%%socket send 9912\nwarm up")
    k.ok("%stream wait idle_wc --timeout 90")

    # the send cell ends at once; the micro-batch that reads the line ends after it
    k.ok("%%socket send 9912\nquiet moment")
    deadline = time.monotonic() + 60
    seen = None
    while time.monotonic() < deadline:
        try:
            msg = k.kc.get_iopub_msg(timeout=1)
        except Exception:
            continue
        if msg["header"]["msg_type"] == "update_display_data" and display_id(msg) == view:
            if "quiet" in counts_in(msg["content"]["data"]["text/html"]):
                seen = msg
                break
    assert seen is not None, "no update of the live view arrived while the kernel was idle"


def test_display_of_a_streaming_dataset_starts_a_live_memory_query(clean_streams):
    k = clean_streams
    res = k.ok('display(spark.readStream().format("rate").option("rowsPerSecond", 20).load()'
               '.selectExpr("value % 3 AS bucket").groupBy("bucket").count())')
    shown = res.of_type("display_data")
    assert shown and display_id(shown[0]), res.describe()
    name = shown[0]["content"]["data"]["text/plain"].split("]")[0].lstrip("[")
    assert name.startswith("display_")
    waited = k.ok(f"%stream wait {name} --batches 2 --timeout 90")
    updates = view_updates([waited], display_id(shown[0]))
    assert updates
    tables = parse_tables(updates[-1]["content"]["data"]["text/html"])
    buckets = {r["bucket"] for r in tables[-1].records()}
    assert buckets <= {"0", "1", "2"} and buckets, tables[-1].records()
    listed = k.ok("%stream list").plain
    assert name in listed and "memory" in listed and "Complete" in listed


def test_failed_query_shows_its_error_in_its_view(clean_streams):
    k = clean_streams
    res = k.ok('StreamingQuery bad = spark.readStream().format("rate").option("rowsPerSecond", 5).load()\n'
               '    .map((MapFunction<Row, Long>) r -> { if (r.getLong(1) >= 0) throw new IllegalStateException("boom at " + r.getLong(1)); return 0L; }, Encoders.LONG())\n'
               '    .writeStream().format("console").queryName("doomed").start();')
    view = display_id(res.of_type("display_data")[0])
    waited = k.run("%stream wait doomed --batches 3 --timeout 60")
    deadline = time.monotonic() + 60
    texts = [m["content"]["data"]["text/plain"] for m in view_updates([waited], view)]
    while not any("FAILED" in t for t in texts) and time.monotonic() < deadline:
        texts += [m["content"]["data"]["text/plain"] for m in view_updates([k.ok("Thread.sleep(500)")], view)]
    failed = [t for t in texts if "FAILED" in t]
    assert failed, f"the view never showed FAILED: {texts[-1:]}"
    assert "boom at" in failed[-1]
    assert "doomed" in k.ok("%stream list").plain and "FAILED" in k.ok("%stream list").plain


def test_checkpoint_show_and_clear(clean_streams, tmp_path):
    k = clean_streams
    chk = tmp_path / "wc-chk"
    k.ok("%socket start 9913")
    k.ok(WORDCOUNT.format(v="c", port=9913, chk=chk, name="chk_wc"))
    k.ok("%%socket send 9913\na b a")
    k.ok("%stream wait chk_wc --timeout 90")
    shown = k.ok(f"%checkpoint show {chk}").plain
    for part in ("metadata", "offsets/", "commits/", "state/"):
        assert part in shown, shown
    # one aggregation, spark.sql.shuffle.partitions=3: Spark's state/0/_metadata is not a partition
    assert "1 operator, 3 partitions" in shown, shown
    refused = k.run(f"%checkpoint clear {chk}")
    assert refused.status == "error" and "chk_wc" in refused.error_text
    assert chk.exists()

    again = k.run(WORDCOUNT.format(v="d", port=9913, chk=tmp_path / "other", name="chk_wc"))
    assert again.status == "error" and "chk_wc" in again.error_text, again.describe()
    shared = k.run(WORDCOUNT.format(v="d", port=9913, chk=chk, name="chk_wc_twin"))
    assert shared.status == "error", shared.describe()
    assert "chk_wc" in shared.error_text and "%stream stop chk_wc" in shared.error_text, shared.error_text

    k.ok("%stream stop chk_wc")
    assert "Removed" in k.ok(f"%checkpoint clear {chk}").plain
    assert not chk.exists()


def test_socket_magic_errors_are_clear(spark_kernel):
    k = spark_kernel
    nobody = k.ok("%socket start 9914")
    try:
        res = k.ok("%%socket send 9914\nlost line")
        assert "Not delivered" in res.plain and "no client" in res.plain
        with socket.socket() as busy:
            busy.bind(("127.0.0.1", 9915))
            busy.listen(1)
            err = k.run("%socket start 9915")
            assert err.status == "error" and "in use" in err.error_text
        usage = k.run("%socket start notaport")
        assert usage.status == "error" and "65535" in usage.error_text and "%socket start" in usage.error_text
    finally:
        k.run("%socket stop")
    assert nobody.status == "ok"


def test_restart_with_running_query_leaves_nothing_behind(kernel_factory, tmp_path):
    k = kernel_factory("restart-stream")
    k.ensure_spark()
    k.ok("%socket start 9916")
    k.ok(WORDCOUNT.format(v="e", port=9916, chk=tmp_path / "chk", name="restarted"))
    k.ok("%%socket send 9916\nbefore restart")
    k.ok("%stream wait restarted --timeout 90")
    old = k.pid
    k.restart()
    from labharness import wait_pid_gone
    assert wait_pid_gone(old, 30), "the old kernel JVM is still running after restart"
    with socket.socket() as s:  # nothing listens on the socket server's port any more
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # closed connections may linger in TIME_WAIT
        s.bind(("127.0.0.1", 9916))
        s.listen(1)
    assert "No streaming query" in k.ok("%stream list").plain


def test_socket_feed_sends_a_file_at_a_rate(clean_streams, tmp_path):
    k = clean_streams
    words = ["alpha beta", "beta gamma", "gamma beta"] * 4
    # the file is written by the kernel, in its working directory, as a student would save one
    k.ok("java.nio.file.Files.write(java.nio.file.Path.of(\"feed.txt\"), List.of(" + ", ".join(f'"{w}"' for w in words) + "));")
    k.ok("%socket start 9917")
    start = k.ok(WORDCOUNT.format(v="f", port=9917, chk=tmp_path / "chk", name="fed_wc"))
    view = display_id(start.of_type("display_data")[0])
    feed = k.ok("%socket feed feed.txt --rate 20/s --port 9917")  # the rate as the issue spells it
    progress = feed.of_type("display_data")
    assert progress and "feed.txt" in progress[0]["content"]["data"]["text/plain"]
    assert "at 20/s" in progress[0]["content"]["data"]["text/plain"]

    def counts_until(done, wait="") -> dict[str, int]:
        deadline = time.monotonic() + 90
        got = {}
        while time.monotonic() < deadline and not done(got):
            res = k.ok(f"%stream wait fed_wc {wait} --timeout 60")
            ups = view_updates([res], view)
            if ups:
                got = counts_in(ups[-1]["content"]["data"]["text/html"])
        return got

    assert counts_until(lambda got: got.get("beta") == 12) == {"alpha": 4, "beta": 12, "gamma": 8}
    assert "lines sent" in k.ok("%socket status").plain

    for wrong in ("5/m", "fast", "0/s"):
        bad = k.run(f"%socket feed feed.txt --rate {wrong} --port 9917")
        assert bad.status == "error" and "/s" in bad.error_text and "%socket feed" in bad.error_text, bad.error_text

    # --loop starts from the top again: more lines arrive than the file has, until the feeder is stopped
    looped = k.ok("%socket feed feed.txt --rate 20/s --loop --port 9917")
    assert "(looping)" in looped.of_type("display_data")[0]["content"]["data"]["text/plain"]
    # (not --until-idle: while a feeder loops, the socket never runs dry)
    got = counts_until(lambda got: got.get("beta", 0) > 24, wait="--batches 1")
    assert got.get("beta", 0) > 24, f"the looping feeder did not go past the end of the file: {got}"
    assert k.ok("%socket feed --stop").plain == "Stopped 1 feeder(s)."
    status = k.ok("%socket status").plain
    assert "0 feeders" in status, status
    time.sleep(1)
    assert k.ok("%socket status").plain == status, "lines were still sent after the feeder was stopped"


def test_continuous_trigger_with_console_shows_epochs_and_rows(clean_streams):
    # Spark reports no progress for continuous queries: the view follows their epochs instead
    k = clean_streams
    start = k.ok('spark.readStream().format("rate").option("rowsPerSecond", 20).option("numPartitions", 1).load()\n'
                 '    .writeStream().format("console").trigger(Trigger.Continuous("1 second"))\n'
                 '    .queryName("cont_console").start();')
    view = display_id(start.of_type("display_data")[0])
    waited = k.ok("%stream wait cont_console --batches 3 --timeout 120")
    assert "cont_console is up to date at epoch" in waited.plain, waited.describe()
    last = view_updates([waited], view)[-1]["content"]["data"]
    header = last["text/plain"].splitlines()[0]
    assert "ACTIVE | epoch " in header and "epoch –" not in header, header
    assert "continuous 1000 ms trigger" in last["text/html"]
    rows = parse_tables(last["text/html"])[-1].records()
    assert rows and all(set(r) == {"timestamp", "value"} for r in rows), rows

    progress = k.ok("%stream progress cont_console").plain
    assert "epochs the lab saw committed" in progress and "rows written" in progress, progress
    listed = k.ok("%stream list").plain
    assert "cont_console" in listed and "continuous 1000 ms" in listed and "epoch " in listed, listed
    # without --batches, waiting for a continuous query means its next epoch, not forever
    assert "up to date at epoch" in k.ok("%stream wait cont_console --timeout 120").plain


def test_restart_from_a_checkpoint_gets_a_view_of_its_own(clean_streams, tmp_path):
    # the restarted query keeps its id; the first run's view must stay as it ended
    k = clean_streams
    start = ('spark.readStream().format("rate").option("rowsPerSecond", 5).load()\n'
             '    .writeStream().format("console").option("checkpointLocation", "{chk}").queryName("again").start();')
    first = k.ok(start.format(chk=tmp_path / "chk"))
    k.ok("%stream wait again --batches 2 --timeout 120")
    k.ok("%stream stop again")
    second = k.ok(start.format(chk=tmp_path / "chk"))
    k.ok("%stream wait again --batches 2 --timeout 120")
    first_id = display_id(first.of_type("display_data")[0])
    second_id = display_id(second.of_type("display_data")[0])
    assert first_id != second_id, "both runs share one display id, so the second would overwrite the first's view"
    listed = k.ok("%stream list").plain
    assert listed.count("again") >= 1 and "ACTIVE" in listed, listed


def free_port() -> int:
    """A loopback port nothing listens on now (the kernel's socket server binds it next)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def batch_rows(data: dict) -> list[dict[str, str]]:
    """The recent-batches table of a foreachBatch query's view, newest first."""
    tables = parse_tables(data["text/html"])
    assert tables, f"no table in the view:\n{data['text/html'][:500]}"
    return tables[-1].records()


def test_foreach_batch_query_shows_its_recent_batches(clean_streams):
    # Spark hands each batch to the student's function and not to the lab: the view lists the batches instead
    k = clean_streams
    port = free_port()
    k.ok(f"%socket start {port}")
    start = k.ok('java.util.List<Long> fbSeen = java.util.Collections.synchronizedList(new java.util.ArrayList<>());\n'
                 f'StreamingQuery fbQuery = spark.readStream().format("socket").option("host", "localhost").option("port", {port}).load()\n'
                 '    .writeStream().foreachBatch((VoidFunction2<Dataset<Row>, Long>) (batch, id) -> fbSeen.add(batch.count()))\n'
                 '    .queryName("fb_batches").start();')
    shown = start.of_type("display_data")
    assert shown and display_id(shown[0]), start.describe()
    view = display_id(shown[0])
    assert "fb_batches" in shown[0]["content"]["data"]["text/plain"]
    assert "foreachBatch sink" in shown[0]["content"]["data"]["text/html"]

    sent = k.ok(f"%%socket send {port}\none\ntwo\nthree")
    waited = k.ok("%stream wait fb_batches --timeout 90")
    first = view_updates([sent, waited], view)[-1]["content"]["data"]
    rows = batch_rows(first)
    assert rows and set(rows[0]) == {"batch", "input rows", "processed rows/s", "duration ms", "time"}, rows
    assert sum(int(r["input rows"]) for r in rows) == 3, rows
    assert "3 input rows so far" in first["text/plain"], first["text/plain"]

    more = k.ok(f"%%socket send {port}\nfour\nfive")
    waited = k.ok("%stream wait fb_batches --timeout 90")
    second = view_updates([more, waited], view)[-1]["content"]["data"]
    later = batch_rows(second)
    assert len(later) > len(rows), (rows, later)
    ids = [int(r["batch"]) for r in later]
    assert ids == sorted(ids, reverse=True), f"newest batch first: {ids}"
    assert sum(int(r["input rows"]) for r in later) == 5, later
    assert int(later[0]["input rows"]) > 0 and all(int(r["duration ms"]) >= 0 for r in later), later
    assert "5 input rows so far" in second["text/plain"], second["text/plain"]
    # the student's function got the same rows
    assert k.value("fbSeen.stream().mapToLong(Long::longValue).sum()") == "5"


def listed_states(listing: str) -> dict[str, str]:
    """{query name: state} from %stream list's text form (name | id | state | ...)."""
    states = {}
    for line in listing.splitlines()[1:]:
        cells = [c.strip() for c in line.split("|")]
        if len(cells) >= 3:
            states[cells[0]] = cells[2]
    return states


def test_stream_stop_all_leaves_nothing_running(clean_streams, tmp_path):
    k = clean_streams
    port = free_port()
    k.ok(f"%socket start {port}")
    k.ok(WORDCOUNT.format(v="g", port=port, chk=tmp_path / "chk", name="stopall_wc"))
    k.ok('spark.readStream().format("rate").option("rowsPerSecond", 5).load()\n'
         '    .writeStream().format("memory").queryName("stopall_rate").start();')
    k.ok(f"%%socket send {port}\nstop them all")
    k.ok("%stream wait stopall_wc --timeout 90")
    k.ok("%stream wait stopall_rate --batches 1 --timeout 90")
    assert int(k.value("spark.streams().active().length")) >= 2

    stopped = k.ok("%stream stop all").plain
    assert "stopall_wc" in stopped and "stopall_rate" in stopped and "still stopping" not in stopped, stopped
    assert k.value("spark.streams().active().length") == "0"
    states = listed_states(k.ok("%stream list").plain)
    assert states.get("stopall_wc") == "STOPPED" and states.get("stopall_rate") == "STOPPED", states
    assert "ACTIVE" not in states.values(), states
    assert k.ok("%stream stop all").plain == "No query is running."

    said = k.ok("%socket stop").plain
    assert f"Stopped the socket server on port {port}." == said, said  # and no query still reads it
    with socket.socket() as s:  # the port is free again
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # closed connections may linger in TIME_WAIT
        s.bind(("127.0.0.1", port))
        s.listen(1)



def test_live_view_updates_are_throttled(clean_streams):
    # many micro-batches a second must not become many updates a second: 250 ms apart at most, by default.
    # (Not the rate source: in Spark 3.5 it moves on once a second, so its batches come 1 s apart whatever the
    # trigger. A socket that always has new lines lets Spark run batches back to back.)
    k = clean_streams
    port = free_port()
    k.ok('java.nio.file.Files.write(java.nio.file.Path.of("fast.txt"), List.of("a b c", "d e f", "g h i"));')
    k.ok(f"%socket start {port}")
    start = k.ok(f'spark.readStream().format("socket").option("host", "localhost").option("port", {port}).load()\n'
                 '    .writeStream().format("console").option("numRows", 5)\n'
                 '    .trigger(Trigger.ProcessingTime("10 milliseconds")).queryName("fast_lines").start();')
    view = display_id(start.of_type("display_data")[0])
    k.ok(f"%socket feed fast.txt --rate 1000/s --loop --port {port}")
    k.ok("%stream wait fast_lines --batches 3 --timeout 120")  # past the slow first batches
    # watch the view for 4 s at least, until Spark ran 40 more micro-batches (Spark's own count: the batch id of
    # the query's last progress), 30 s at most. A batch asks the view to render twice (its rows, its progress):
    # a throttle shows only when batches come faster than the 4 updates a second the view may make
    watched = k.ok(
        "var fastLines = java.util.Arrays.stream(spark.streams().active())"
        '.filter(q -> q.name().equals("fast_lines")).findFirst().get();\n'
        "long watchFrom = fastLines.lastProgress().batchId(), watchStart = System.currentTimeMillis();\n"
        "while ((fastLines.lastProgress().batchId() < watchFrom + 40 || System.currentTimeMillis() < watchStart + 4000)\n"
        "       && System.currentTimeMillis() < watchStart + 30_000) Thread.sleep(20);\n"
        'System.out.println(watchFrom + " " + fastLines.lastProgress().batchId());', timeout=90)
    batch_before, batch_after = (int(x) for x in watched.stdout.split())
    updates = [m for m in watched.messages
               if m["header"]["msg_type"] == "update_display_data" and display_id(m) == view]
    span = watched.arrivals[-1] - watched.arrivals[0]  # busy .. idle
    batches = batch_after - batch_before
    k.ok("%socket feed --stop")
    arrived = [t for t, m in zip(watched.arrivals, watched.messages) if m in updates]
    gaps_ms = [round((b - a) * 1000) for a, b in zip(arrived, arrived[1:])]
    print(f"throttle: {len(updates)} updates of the view, {batches} micro-batches in {span:.2f} s; gaps {gaps_ms}")
    assert updates, f"no update of the live view in {span:.1f} s ({batches} batches)"
    # Spark ran more micro-batches than the view was updated: of the two renders each batch asks for (its rows,
    # its progress), the throttle dropped more than half
    assert batches > len(updates), (
        f"Spark ran {batches} micro-batches (batch ids {batch_before}..{batch_after}, {batches / span:.1f} a second) "
        f"in {span:.1f} s and the view was updated {len(updates)} times: no throttle shown")
    # at most one update every 250 ms, give or take the first and the last
    assert len(updates) <= span / 0.25 + 2, (
        f"{len(updates)} updates in {span:.1f} s ({batches} micro-batches): more than one per 250 ms")
    # and spaced out, not in bursts (the median: a busy test machine may hand over a few at once)
    if gaps_ms:
        assert sorted(gaps_ms)[len(gaps_ms) // 2] >= 200, f"updates came in bursts: gaps {gaps_ms} ms"


def latest_view(results, view: str) -> dict:
    ups = view_updates(results, view)
    assert ups, "no update of the live view"
    return ups[-1]["content"]["data"]


def start_socket_query(k, query: str) -> tuple[int, str]:
    """A socket server on a free port and a query reading it (query: what follows load(), up to start());
    returns the port and the query's live view id."""
    port = free_port()
    k.ok(f"%socket start {port}")
    start = k.ok(f'spark.readStream().format("socket").option("host", "localhost").option("port", {port}).load()\n'
                 + query)
    return port, display_id(start.of_type("display_data")[0])


def send_and_view(k, port: int, lines: str, name: str, view: str) -> dict:
    """Sends lines, waits for the query to process them, returns the view's latest data."""
    return latest_view([k.ok(f"%%socket send {port}\n{lines}"), k.ok(f"%stream wait {name} --timeout 90")], view)


def test_append_mode_view_shows_the_latest_rows_and_a_running_total(clean_streams):
    k = clean_streams
    port, view = start_socket_query(k, '    .writeStream().format("console").outputMode("append").option("numRows", 3)\n'
                                       '    .queryName("appended_lines").start();')
    first = send_and_view(k, port, "one\ntwo", "appended_lines", view)
    # (Spark's socket source deals a batch's lines out to its partitions: their order in a batch is not kept)
    assert sorted(parse_tables(first["text/html"])[-1].column("value")) == ["one", "two"]
    assert "2 rows so far" in first["text/plain"] and "append mode" in first["text/plain"], first["text/plain"]

    later = send_and_view(k, port, "three\nfour\nfive", "appended_lines", view)
    # numRows 3: the three latest rows; the total counts all five
    assert sorted(parse_tables(later["text/html"])[-1].column("value")) == ["five", "four", "three"]
    assert "5 rows so far" in later["text/plain"], later["text/plain"]
    assert "2 more rows" in later["text/plain"], later["text/plain"]


def test_update_mode_view_shows_the_latest_rows_and_a_running_total(clean_streams):
    k = clean_streams
    port, view = start_socket_query(
        k, '    .select(expr("explode(split(value, \' \')) as word")).groupBy("word").count()\n'
           '    .writeStream().format("console").outputMode("update").queryName("updated_counts").start();')
    first = send_and_view(k, port, "a b a", "updated_counts", view)
    rows = [(r["word"], int(r["count"])) for r in parse_tables(first["text/html"])[-1].records()]
    assert sorted(rows) == [("a", 2), ("b", 1)], rows
    assert "2 rows so far" in first["text/plain"] and "update mode" in first["text/plain"], first["text/plain"]

    later = send_and_view(k, port, "a c", "updated_counts", view)
    rows = [(r["word"], int(r["count"])) for r in parse_tables(later["text/html"])[-1].records()]
    # update mode writes only the changed rows: the newest batch's (a is 3 now, c is new) come last
    assert sorted(rows[-2:]) == [("a", 3), ("c", 1)], rows
    assert "4 rows so far" in later["text/plain"], later["text/plain"]


def test_thread_output_after_the_cell_ended_goes_to_that_cell(kernel):
    # the output router: a thread a cell started writes under that cell, also once the kernel is idle again
    k = kernel
    started = k.ok('java.util.concurrent.CountDownLatch lateGo = new java.util.concurrent.CountDownLatch(1);\n'
                   'new Thread(() -> {\n'
                   '    try { lateGo.await(); Thread.sleep(1000); } catch (InterruptedException e) { return; }\n'
                   '    System.out.println("a late line from a thread");\n'
                   '}, "late-writer").start();')
    assert "late line" not in started.stdout
    # the next cell runs meanwhile; the thread writes a second after it
    next_cell = k.kc.execute("lateGo.countDown(); 6 * 7", allow_stdin=False)
    seen: list[dict] = []
    late = None
    deadline = time.monotonic() + 30
    while late is None and time.monotonic() < deadline:
        try:
            msg = k.kc.get_iopub_msg(timeout=0.5)
        except Exception:
            continue
        seen.append(msg)
        if msg["header"]["msg_type"] == "stream" and "a late line" in msg["content"]["text"]:
            late = msg
    assert late is not None, "the thread's line never arrived:\n" + "\n".join(
        f"{m['header']['msg_type']} {str(m['content'])[:120]}" for m in seen)
    reply = k.shell_reply(next_cell, 30)
    assert reply is not None and reply["content"]["status"] == "ok", reply
    assert late["parent_header"]["msg_id"] == started.msg_id, "the line went under another request than its cell's"
    assert late["content"]["name"] == "stdout"
    states = [m["content"]["execution_state"] for m in seen if m["header"]["msg_type"] == "status"]
    assert states and states[-1] == "idle", f"the kernel was not idle when the line came: {states}"
    next_result = [m for m in seen if m["parent_header"].get("msg_id") == next_cell
                   and m["header"]["msg_type"] == "execute_result"]
    assert next_result and next_result[0]["content"]["data"]["text/plain"] == "42"
    # nowhere else: not twice, not under the next cell, not in the kernel's terminal (its log)
    time.sleep(1)
    while True:
        try:
            seen.append(k.kc.get_iopub_msg(timeout=0.2))
        except Exception:
            break
    carrying = [m for m in seen if "a late line" in str(m["content"])]
    assert carrying == [late], carrying
    assert "a late line" not in k.log_tail(400)


def test_same_name_as_a_running_query_names_it_and_how_to_stop_it(clean_streams):
    k = clean_streams
    start = ('spark.readStream().format("rate").option("rowsPerSecond", 1).load()\n'
             '    .writeStream().format("memory").queryName("{name}").start();')
    k.ok(start.format(name="taken_name"))
    before = k.value("spark.streams().active().length")
    again = k.run(start.format(name="taken_name"))
    assert again.status == "error", again.describe()
    said = again.error_text
    assert "QueryAlreadyRunning" in said and "The query taken_name is already running" in said, said
    assert "%stream stop taken_name" in said and "started in cell [" in said, said
    assert "Cannot start query with name" not in said, "Spark's own words instead of the lab's"
    # nothing else changed: the first one still runs, no second one
    assert k.value("spark.streams().active().length") == before
    assert listed_states(k.ok("%stream list").plain).get("taken_name") == "ACTIVE"


def interrupt_after(k, code: str, settle: float = 2.0):
    """Run code, interrupt it after `settle` seconds of running; (result, seconds from interrupt to reply)."""
    pending = k.submit(code)
    assert pending.wait_busy(30), "the kernel never went busy"
    ended = pending.pump(lambda m: m["header"]["msg_type"] == "status"
                         and m["content"].get("execution_state") == "idle", settle)
    assert not ended, f"the cell ended before the interrupt:\n{pending.result().describe()}"
    t0 = time.monotonic()
    k.km.interrupt_kernel()
    assert pending.get_reply(60), "no execute_reply within 60 s of the interrupt"
    elapsed = time.monotonic() - t0
    return pending.finish(30), elapsed


def test_interrupt_stream_wait_on_a_query_without_data(clean_streams, tmp_path):
    k = clean_streams
    port = free_port()
    k.ok(f"%socket start {port}")
    k.ok(WORDCOUNT.format(v="h", port=port, chk=tmp_path / "chk", name="never_fed"))
    res, elapsed = interrupt_after(k, "%stream wait never_fed --batches 3 --timeout 600")
    assert res.status == "error", res.describe()
    assert elapsed < 10, f"the wait ended {elapsed:.1f} s after the interrupt"
    assert k.value("1 + 1") == "2"  # usable again
    # only the wait was interrupted: the query still runs and still counts
    assert listed_states(k.ok("%stream list").plain).get("never_fed") == "ACTIVE"
    k.ok(f"%%socket send {port}\nfed at last")
    waited = k.ok("%stream wait never_fed --until-idle --timeout 90")
    assert "never_fed is up to date at batch" in waited.plain and "3 rows in table" in waited.plain, waited.plain


def test_stream_wait_until_idle_explicitly(clean_streams, tmp_path):
    k = clean_streams
    port = free_port()
    k.ok('java.nio.file.Files.write(java.nio.file.Path.of("idle.txt"), List.of("x y", "y z"));')
    k.ok(f"%socket start {port}")
    start = k.ok(WORDCOUNT.format(v="i", port=port, chk=tmp_path / "chk", name="idle_wait"))
    view = display_id(start.of_type("display_data")[0])
    # nothing sent yet: nothing to wait for
    t0 = time.monotonic()
    nothing = k.ok("%stream wait idle_wait --until-idle --timeout 60")
    assert "idle_wait is up to date" in nothing.plain and time.monotonic() - t0 < 30, nothing.plain
    k.ok(f"%%socket send {port}\nx x y")
    waited = k.ok("%stream wait idle_wait --until-idle --timeout 90")
    assert counts_in(latest_view([waited], view)["text/html"]) == {"x": 2, "y": 1}
    both = k.run("%stream wait idle_wait --until-idle --batches 2")
    assert both.status == "error" and "Choose one of --batches and --until-idle" in both.error_text

    # a feeder that loops never lets the socket run dry: the wait blocks until interrupted
    k.ok(f"%socket feed idle.txt --rate 50/s --loop --port {port}")
    stuck = k.run("%stream wait idle_wait --until-idle --timeout 3")
    assert stuck.status == "error" and "did not catch up within 3 s" in stuck.error_text, stuck.describe()
    assert "%stream wait idle_wait --batches N" in stuck.error_text, stuck.error_text
    res, elapsed = interrupt_after(k, "%stream wait idle_wait --until-idle --timeout 600", settle=3)
    assert res.status == "error" and elapsed < 10, (elapsed, res.describe())
    k.ok("%socket feed --stop")
    assert k.value("1 + 1") == "2"
    assert listed_states(k.ok("%stream list").plain).get("idle_wait") == "ACTIVE"
