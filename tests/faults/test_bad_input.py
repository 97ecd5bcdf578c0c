"""Bad input, each answered with a clear message and nothing lost; the kernel stays up and the next
cell works. All on the shared fault-lab kernel (Spark, socket server and broker running)."""

from __future__ import annotations

import hashlib
import json
import os
import queue
import random
import re
import shutil
import socket
import subprocess
import threading
import time
from pathlib import Path

import pytest
from jupyter_client import BlockingKernelClient
from jupyter_client.session import Session

from faults.faultharness import rss_mb, wait_until
from labharness import html_text, only_table

# The next cell after a fault must answer this fast (the kernel is up and not stuck).
NEXT_CELL_SECONDS = 10


def next_cell_works(lab) -> None:
    t0 = time.monotonic()
    assert lab.value("6 * 7") == "42"
    assert time.monotonic() - t0 < NEXT_CELL_SECONDS


def rows_of(lab, sql: str) -> list[str]:
    """The rows of a Spark SQL query, one string per row."""
    res = lab.ok(f'for (Row r : spark.sql("{sql}").collectAsList()) System.out.println(r.mkString("|"));')
    return res.stdout.splitlines()


def wait_for_rows(lab, sql: str, check, timeout: float = 90) -> list[str]:
    deadline = time.monotonic() + timeout
    rows = rows_of(lab, sql)
    while not check(rows) and time.monotonic() < deadline:
        time.sleep(0.5)
        rows = rows_of(lab, sql)
    return rows


def stop_query(lab, name: str) -> None:
    lab.run(f"%stream stop {name}", timeout=60)


def final_view(res) -> str:
    """The text of a cell's live view as it stands after its last update."""
    shown = [m["content"]["data"] for m in res.messages
             if m["header"]["msg_type"] in ("display_data", "update_display_data")]
    return html_text(shown[-1].get("text/html", "")) if shown else ""


# --------------------------------------------------------------------------
# the socket source
# --------------------------------------------------------------------------


class GarbageServer:
    """Plays `ncat -lk PORT < garbage`: serves the given bytes to the one client that connects."""

    def __init__(self, payload: bytes):
        self.payload = payload
        self.server = socket.socket()
        self.server.bind(("127.0.0.1", 0))
        self.server.listen(1)
        self.port = self.server.getsockname()[1]
        self.served = threading.Event()
        self.client = None
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        try:
            self.client, _ = self.server.accept()
            self.client.sendall(self.payload)
            self.served.set()
        except OSError:
            pass

    def close(self) -> None:
        for s in (self.client, self.server):
            if s is not None:
                s.close()


def java_lines(payload: bytes) -> int:
    """How many lines Java's BufferedReader.readLine (Spark's socket source) reads from payload."""
    return len(re.split(rb"\r\n|\r|\n", payload.rstrip(b"\r\n")))


def test_binary_garbage_on_the_socket_source_becomes_rows_and_nothing_is_lost(fault_lab, record):
    rnd = random.Random(7)
    garbage = bytes(rnd.randrange(256) for _ in range(20_000))
    payload = b"before garbage\n" + garbage + b"\nafter garbage\n"
    expected = java_lines(payload)
    server = GarbageServer(payload)
    try:
        res = fault_lab.run(
            'var garbageQuery = spark.readStream().format("socket").option("host", "127.0.0.1")'
            f'.option("port", {server.port}).load()'
            '.writeStream().format("memory").queryName("garbage_lines").start();'
        )
        assert res.status == "ok", res.describe()
        assert server.served.wait(60), "the query never connected"
        rows = wait_for_rows(fault_lab, "SELECT count(*) FROM garbage_lines", lambda r: r == [str(expected)])
        record("bad input", "random bytes sent to a socket query", len(garbage), "bytes")
        record("lost", "lines of garbage that became no row", expected - int(rows[0]) if rows else expected, "lines")
        assert rows == [str(expected)], f"{expected} lines sent, {rows} rows in the sink"
        firstlast = rows_of(fault_lab, "SELECT value FROM garbage_lines WHERE value LIKE '%garbage'")
        assert sorted(firstlast) == ["after garbage", "before garbage"]
        assert fault_lab.value("garbageQuery.isActive()") == "true"
        # the rows with garbage render as a table (cut, escaped), not as an error
        table = fault_lab.ok('spark.sql("SELECT value FROM garbage_lines")')
        assert f"{expected - 20} more rows" in html_text(table.result["text/html"])
    finally:
        stop_query(fault_lab, "garbage_lines")
        server.close()
    next_cell_works(fault_lab)


def test_feeding_a_binary_file_to_the_socket_server_is_refused_clearly(fault_lab, tmp_path, record):
    binary = tmp_path / "picture.bin"
    record("bad input", "a binary file fed to %socket feed", 1, "file")
    binary.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00" + bytes(range(256)))
    res = fault_lab.run(f"%socket feed {binary} --port {fault_lab.socket_port}")
    assert res.status == "error", res.describe()
    assert "is not a text file" in res.error_text and "%socket feed" in res.error_text, res.error_text
    assert "MalformedInput" not in res.error_text
    next_cell_works(fault_lab)


def test_lines_of_one_megabyte_reach_the_query_whole_and_show_cut(fault_lab, record):
    port = fault_lab.socket_port
    fault_lab.ok(
        'var longLines = spark.readStream().format("socket").option("host", "127.0.0.1")'
        f'.option("port", {port}).load()'
        '.writeStream().format("memory").queryName("long_lines").start();'
    )
    try:
        big = "".join(chr(ord("a") + i % 26) for i in range(1 << 20))
        sent = fault_lab.ok(f"%%socket send {port}\n{big}\n{big[::-1]}\nshort")
        assert "Sent 3 line(s)" in sent.text, sent.describe()
        record("bad input", "lines of 1 MB sent to a socket query", 2, "lines")
        rows = wait_for_rows(fault_lab, "SELECT length(value) AS n FROM long_lines ORDER BY n",
                             lambda r: len(r) >= 3)
        assert rows == ["5", str(1 << 20), str(1 << 20)], rows
        digests = rows_of(fault_lab, "SELECT md5(value) FROM long_lines WHERE length(value) > 5")
        whole = sorted(hashlib.md5(x.encode()).hexdigest() for x in (big, big[::-1]))
        record("lost", "1 MB lines not received whole", len(set(whole) - set(digests)), "lines")
        assert sorted(digests) == whole
        # shown, a megabyte value is cut to 200 characters: its first 199 and "…" (display/Cells.java)
        table = fault_lab.ok('spark.sql("SELECT value FROM long_lines")')
        html = table.result["text/html"]
        shown = sorted(only_table(html).column("value"))
        assert shown == sorted([big[:199] + "…", big[::-1][:199] + "…", "short"]), [x[-20:] for x in shown]
        record("measured", "HTML of a table with two 1 MB values", len(html) / 1000, "KB")
        assert len(html) < 20_000, len(html)
    finally:
        stop_query(fault_lab, "long_lines")
    next_cell_works(fault_lab)


# --------------------------------------------------------------------------
# huge output
# --------------------------------------------------------------------------


def test_a_cell_printing_100_mb_shows_the_start_and_keeps_the_rest_in_a_file(fault_lab, record):
    lines = 1_000_000
    pad = "." * 86
    before = rss_mb(fault_lab.pid)
    t0 = time.monotonic()
    res = fault_lab.run(
        f'String pad = "{pad}";\n'
        f'for (int i = 0; i < {lines}; i++) System.out.println(String.format("line %07d ", i) + pad);',
        timeout=300,
    )
    seconds = time.monotonic() - t0
    after = rss_mb(fault_lab.pid)
    print(f"100 MB print: {seconds:.1f} s, kernel RSS {before:.0f} -> {after:.0f} MB")
    record("bad input", "a cell printing 100 MB", 1, "cell")
    record("measured", "a cell printing 100 MB, to its end", seconds, "s")
    record("measured", "kernel RSS growth after printing 100 MB", after - before, "MB")
    assert res.status == "ok", res.describe()[:3000]
    shown = res.stdout
    assert 1_000_000 < len(shown) <= 2_000_000, len(shown)
    m = re.search(r"the other ([\d.]+) MB in (\S+\.txt)", res.stderr)
    assert m, f"no note of where the rest went:\n{res.stderr[-2000:]}"
    assert "passed 2.0 MB, so it is cut here" in res.stderr
    rest = Path(m.group(2))
    assert rest.is_file() and rest.parent == fault_lab.lab_home / "cell-output"
    # nothing lost: what was shown and what is in the file are every line, in order, once
    with open(rest) as f:
        kept = f.read()
    everything = (shown + kept).splitlines()
    in_place = sum(1 for i, line in enumerate(everything[:lines]) if line == f"line {i:07d} {pad}")
    record("lost", "lines of the 100 MB print not in the notebook or the file, in order", lines - in_place, "lines")
    assert len(everything) == lines, len(everything)
    wrong = next((i for i, line in enumerate(everything) if line != f"line {i:07d} {pad}"), None)
    assert wrong is None, f"line {wrong} is {everything[wrong][:120]!r}"
    rest.unlink()
    next_cell_works(fault_lab)


def test_a_huge_value_is_cut_with_a_note(fault_lab, record):
    record("bad input", "a value of 20 M characters", 1, "value")
    res = fault_lab.ok('"y".repeat(20_000_000)', timeout=180)
    plain = res.plain
    assert len(plain) < 1_100_000, len(plain)
    assert "20,000,000 characters" in plain and "The value itself is whole" in plain
    next_cell_works(fault_lab)


# --------------------------------------------------------------------------
# huge tables
# --------------------------------------------------------------------------


def test_a_dataset_with_10000_columns_shows_the_first_hundred(fault_lab, record):
    fault_lab.ok(
        "var wide = spark.range(2).select(java.util.stream.IntStream.range(0, 10_000)"
        '.mapToObj(i -> col("id").plus(i).as("c" + i)).toArray(Column[]::new));',
        timeout=300,
    )
    t0 = time.monotonic()
    res = fault_lab.ok("wide", timeout=300)
    print(f"10,000 columns rendered in {time.monotonic() - t0:.1f} s")
    record("bad input", "a Dataset of 10,000 columns shown", 1, "table")
    record("measured", "a table of 10,000 columns, rendered", time.monotonic() - t0, "s")
    html = res.result["text/html"]
    table = only_table(html)
    assert table.headers == [f"c{i}" for i in range(100)]
    assert table.records()[1]["c99"] == "100"
    assert "9900 more columns" in html_text(html)
    assert "9900 more columns" in res.plain
    assert len(html) < 100_000, len(html)
    next_cell_works(fault_lab)


def test_a_dataset_with_a_million_rows_shows_twenty_and_counts_the_rest(fault_lab, record):
    t0 = time.monotonic()
    res = fault_lab.ok('spark.range(1_000_000).selectExpr("id", "id * 2 AS twice")', timeout=300)
    print(f"1 M rows rendered in {time.monotonic() - t0:.1f} s")
    record("bad input", "a Dataset of 1 M rows shown", 1, "table")
    record("measured", "a table of 1 M rows, rendered", time.monotonic() - t0, "s")
    table = only_table(res.result["text/html"])
    assert table.column("twice") == [str(2 * i) for i in range(20)]
    assert "999980 more rows" in html_text(res.result["text/html"])
    assert "999980 more rows" in res.plain
    next_cell_works(fault_lab)


# --------------------------------------------------------------------------
# magics
# --------------------------------------------------------------------------


@pytest.mark.parametrize("cell, says", [
    ("%kafak topics", ["Unknown magic %kafak", "%kafka"]),
    ("%%sqll\nSELECT 1", ["Unknown magic %%sqll", "%%sql"]),
    ("%nosuchmagic", ["Unknown magic %nosuchmagic", "%lsmagic"]),
    ("%socket", ["needs a subcommand", "start"]),
    ("%socket start 99999", ["1 to 65535", "99999"]),
    ("%socket start 4 5", ["Too many arguments"]),
    ("%socket feed /no/such/file.txt", ["no file", "/no/such/file.txt"]),
    ("%socket send", ["%%socket send"]),
    ("%stream wait", ["needs one query name"]),
    ("%stream wait nosuchquery --batches x", ["--batches", "x"]),
    ("%stream frobnicate", ["Usage"]),
    ("%checkpoint", ["show or clear"]),
    ("%kafka start --port abc", ["--port", "abc"]),
    ("%kafka produce", ["--fake people"]),
    ("%kafka create", ["TOPIC"]),
    ("%%sql --max-rows -3\nSELECT 1", ["--max-rows"]),
    ("%help nosuchmagic", ["nosuchmagic"]),
])
def test_unknown_magics_and_wrong_arguments_say_what_to_do(fault_lab, record, cell, says):
    res = fault_lab.run(cell, timeout=60)
    record("bad input", "unknown magics and wrong magic arguments", 1, "cells")
    record("measured", "a wrong magic's error, from request to reply", res.reply_arrival or 0, "s")
    assert res.status == "error", res.describe()
    assert res.reply_arrival < 10, f"took {res.reply_arrival:.1f}s"
    for fragment in says:
        assert fragment.lower() in res.error_text.lower(), f"{fragment!r} not in:\n{res.error_text}"
    assert "Exception" not in res.error_text.split("\n")[0], res.error_text[:500]
    next_cell_works(fault_lab)


# --------------------------------------------------------------------------
# checkpoints
# --------------------------------------------------------------------------


def count_by_key(lab, name: str) -> dict[str, int]:
    return {r.split("|")[0]: int(r.split("|")[1]) for r in rows_of(lab, f"SELECT * FROM {name}")}


def committed_batches(checkpoint: Path) -> list[int]:
    commits = checkpoint / "commits"
    return sorted(int(p.name) for p in commits.iterdir() if p.name.isdigit()) if commits.is_dir() else []


def rate_counts_problems(rows: list[str]) -> list[str]:
    """Rows k|count|top of a count by value % 3 of the rate source (values 0, 1, 2, ... in order): each
    value counted once means N = the sum of the counts, each key counts its share of 0..N-1 and its top
    is the largest of them. A source started again from 0 over kept counts, or counts started again
    over a source that went on, breaks this."""
    table = {int(k): (int(c), int(t)) for k, c, t in (r.split("|") for r in rows)}
    n = sum(c for c, _ in table.values())
    problems = []
    for k in range(3):
        share = len(range(k, n, 3))
        want = (share, k + 3 * (share - 1)) if share else None
        if table.get(k) != want:
            problems.append(f"key {k}: (count, top) {table.get(k)}, expected {want} for values 0..{n - 1}")
    return problems


def test_a_checkpoint_of_a_different_query_is_named_and_the_first_query_resumes(fault_lab, tmp_path, record):
    ckpt = tmp_path / "checkpoint-of-counts"
    counts = (
        'spark.readStream().format("rate").option("rowsPerSecond", 20).load()'
        '.groupBy(col("value").mod(3).as("k")).agg(count(lit(1)).as("count"), max("value").as("top"))'
        '.writeStream().outputMode("complete").format("memory").queryName("{name}")'
        f'.option("checkpointLocation", "{ckpt}").start();'
    )
    fault_lab.ok("var countsQuery = " + counts.format(name="counts_a"))
    try:
        rows = wait_for_rows(fault_lab, "SELECT sum(count) FROM counts_a", lambda r: r and r[0] not in ("null", "0"))
        fault_lab.ok("%stream stop counts_a", timeout=60)
        before = rows_of(fault_lab, "SELECT * FROM counts_a")
        before_total = sum(int(r.split("|")[1]) for r in before)
        before_batches = committed_batches(ckpt)
        assert before_total > 0 and before_batches, rows
        assert rate_counts_problems(before) == [], before

        # a different query (another aggregation) started on that checkpoint
        record("fault", "a query started on the checkpoint of a different query", 1, "query")
        res = fault_lab.run(
            'var otherQuery = spark.readStream().format("rate").option("rowsPerSecond", 20).load()'
            '.groupBy(col("value").mod(5).as("other"), col("timestamp")).agg(max("value").as("top"))'
            '.writeStream().outputMode("complete").format("memory").queryName("counts_b")'
            f'.option("checkpointLocation", "{ckpt}").start();\n'
            'try { otherQuery.awaitTermination(90_000); } catch (Exception failed) { }\n'
            "otherQuery.isActive()",
            timeout=150,
        )
        assert res.plain is not None and res.plain.strip() == "false", "the other query kept running:\n" + res.describe()[:3000]
        view = final_view(res)
        assert "FAILED" in view, view[:2000]
        # Spark says it one of two ways, depending on which task reads the old state first
        assert re.search(r"The query is changed among restart|doesn't match to the schema for existing state", view), \
            view[:3000]
        # ... and the lab says what that means and what to do
        assert "was written by a different query" in view and f"%checkpoint clear {ckpt}" in view, view[:3000]
        listed = fault_lab.ok("%stream list").text
        assert re.search(r"counts_b\s*\|[^\n]*FAILED", listed), listed
        next_cell_works(fault_lab)

        # the checkpoint still belongs to the first query: it resumes where it stopped, with its counts
        t0 = time.monotonic()
        fault_lab.ok("var countsAgain = " + counts.format(name="counts_a2"))
        after = wait_for_rows(fault_lab, "SELECT * FROM counts_a2",
                              lambda r: sum(int(x.split("|")[1]) for x in r) > before_total)
        record("recovery", "the first query counting again on its checkpoint", time.monotonic() - t0, "s")
        fault_lab.ok("%stream stop counts_a2", timeout=60)
        after = rows_of(fault_lab, "SELECT * FROM counts_a2")
        problems = rate_counts_problems(after)
        record("lost", "keys whose resumed counts are not values 0..N-1 counted once", len(problems), "keys")
        assert problems == [], f"before {before}, after {after}:\n" + "\n".join(problems)
        assert sum(int(r.split("|")[1]) for r in after) > before_total, (before, after)
        # batch ids go on from the last committed one, with no gap (not from 0 again)
        batches = committed_batches(ckpt)
        assert batches[:len(before_batches)] == before_batches and batches[-1] > before_batches[-1], \
            (before_batches, batches)
        assert batches == list(range(batches[-1] + 1)), f"batch ids with a gap: {batches}"
        first_again = int(fault_lab.value("countsAgain.recentProgress()[0].batchId()"))
        assert first_again == before_batches[-1] + 1, \
            f"the resumed query began at batch {first_again}, the first query had committed {before_batches}"
    finally:
        for name in ("counts_a", "counts_b", "counts_a2"):
            fault_lab.run(f"%stream stop {name}", timeout=60)
    next_cell_works(fault_lab)


SMALL_DISK_SIZE = "2m"


class SmallDisk:
    """A tmpfs of a given size mounted on a fresh directory (needs root, as CI has)."""

    def __init__(self, path: Path, size: str):
        self.path = path
        path.mkdir()
        proc = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(path)],
                              capture_output=True, text=True)
        self.mounted = proc.returncode == 0
        self.why_not = (proc.stderr or proc.stdout).strip()

    def fill(self) -> Path:
        filler = self.path / "filler"
        with open(filler, "wb", buffering=0) as f:
            try:
                while True:
                    f.write(b"\0" * 4096)
            except OSError:
                pass  # ENOSPC: full
        return filler

    def unmount(self) -> None:
        if self.mounted:
            subprocess.run(["umount", "-l", str(self.path)], capture_output=True)


def cannot_mount(why: str) -> None:
    """CI runs as root and must run the full-disk case: there a failure to mount fails the test."""
    if os.environ.get("CI") == "true":
        pytest.fail(f"CI must run the full-disk case, but {why}", pytrace=False)
    pytest.skip(why)


def test_a_full_disk_under_the_checkpoint_fails_the_query_clearly_and_loses_nothing(fault_lab, tmp_path, record):
    if os.geteuid() != 0 or shutil.which("mount") is None:
        cannot_mount("a small filesystem for the checkpoint needs root to mount a tmpfs (CI runs as root)")
    disk = SmallDisk(tmp_path / "small-disk", SMALL_DISK_SIZE)
    if not disk.mounted:
        cannot_mount(f"cannot mount a tmpfs here ({disk.why_not}): the full-disk case needs CAP_SYS_ADMIN")
    inputs = tmp_path / "words"
    inputs.mkdir()
    ckpt = disk.path / "checkpoint"
    query = (
        f'spark.readStream().format("text").option("maxFilesPerTrigger", 1).load("{inputs}")'
        '.groupBy("value").count()'
        '.writeStream().outputMode("complete").format("memory").queryName("{name}")'
        f'.option("checkpointLocation", "{ckpt}").start();'
    )
    try:
        (inputs / "1.txt").write_text("apple\nbanana\napple\n")
        fault_lab.ok("var diskQuery = " + query.replace("{name}", "disk_words"))
        wait_for_rows(fault_lab, "SELECT sum(count) FROM disk_words", lambda r: r == ["3"])

        filler = disk.fill()
        record("fault", "the disk under a checkpoint filled", 1, "disk")
        (inputs / "2.txt").write_text("cherry\napple\n")
        res = fault_lab.run("try { diskQuery.awaitTermination(90_000); } catch (Exception failed) { }\n"
                            "diskQuery.isActive()", timeout=150)
        assert res.plain is not None and res.plain.strip() == "false", "the query did not stop on a full disk"
        error = fault_lab.ok("diskQuery.exception().get().toString()").plain
        assert "No space left on device" in error, error[:2000]
        view = final_view(res)  # the live view's last update came while that cell ran
        assert "FAILED" in view and "No space left on device" in view, view[:2000]
        listed = fault_lab.ok("%stream list").text
        assert re.search(r"disk_words\s*\|[^\n]*FAILED", listed), listed
        next_cell_works(fault_lab)

        # room again: the same query on the same checkpoint picks up where it failed, nothing counted twice
        filler.unlink()
        t0 = time.monotonic()
        fault_lab.ok("var diskAgain = " + query.replace("{name}", "disk_words_again"))
        rows = wait_for_rows(fault_lab, "SELECT sum(count) FROM disk_words_again", lambda r: r == ["5"])
        record("recovery", "a query on a full disk counting again once there is room", time.monotonic() - t0, "s")
        counted = count_by_key(fault_lab, "disk_words_again")
        record("lost", "words not counted once after the disk was full",
               sum(abs(counted.get(w, 0) - n) for w, n in {"apple": 3, "banana": 1, "cherry": 1}.items()), "words")
        assert rows == ["5"], rows
        assert counted == {"apple": 3, "banana": 1, "cherry": 1}
    finally:
        for name in ("disk_words", "disk_words_again"):
            fault_lab.run(f"%stream stop {name}", timeout=60)
        disk.unmount()
    next_cell_works(fault_lab)


# --------------------------------------------------------------------------
# the wire
# --------------------------------------------------------------------------


class WireWatch:
    """A second Jupyter client on the kernel's connection file that keeps every message it hears on shell,
    control and IOPub. (The harness's client drops what belongs to no cell it waits for, so it cannot tell
    that a reply or an output never came.) A reply goes back to the socket the request came in on: what
    is sent through the watch's own sockets, it hears the answers to."""

    def __init__(self, connection_file: str):
        self.kc = BlockingKernelClient(connection_file=connection_file)
        self.kc.load_connection_file()
        self.kc.start_channels()
        self.heard: list[tuple[str, dict]] = []

    def listen(self, seconds: float, until=None) -> bool:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            for channel, get in (("shell", self.kc.get_shell_msg), ("control", self.kc.get_control_msg),
                                 ("iopub", self.kc.get_iopub_msg)):
                try:
                    self.heard.append((channel, get(timeout=0.05)))
                except queue.Empty:
                    pass
            if until is not None and until():
                return True
        return until is None

    def answered(self, msg_id: str) -> bool:
        """The reply and the status idle of a request have been heard."""
        under = self.under(msg_id)
        return any(c == "shell" for c, _ in under) and any(
            m["header"]["msg_type"] == "status" and m["content"].get("execution_state") == "idle" for _, m in under)

    def under(self, msg_id: str) -> list[tuple[str, dict]]:
        return [(c, m) for c, m in self.heard if (m.get("parent_header") or {}).get("msg_id") == msg_id]

    def stdout_of(self, msg_id: str) -> str:
        return "".join(m["content"]["text"] for c, m in self.under(msg_id)
                       if m["header"]["msg_type"] == "stream" and m["content"].get("name") == "stdout")

    def everything(self) -> str:
        return "\n".join(json.dumps(m["content"], default=str) for _, m in self.heard)

    def close(self) -> None:
        self.kc.stop_channels()


def test_messages_with_a_wrong_signature_are_dropped_and_logged(fault_lab, record):
    watch = WireWatch(fault_lab.connection_file)
    try:
        # the watch hears a correctly signed request's reply and output (its IOPub subscription is up)
        probe = watch.kc.execute('System.out.println("the watch listens");')
        assert watch.listen(60, lambda: watch.answered(probe)), watch.heard
        assert watch.stdout_of(probe) == "the watch listens\n"

        intruder = Session(key=b"not-the-kernels-key", username="intruder")
        bad_execute = intruder.msg("execute_request", {
            "code": 'System.out.println("signed wrong");', "silent": False, "store_history": True,
            "user_expressions": {}, "allow_stdin": False, "stop_on_error": True,
        })
        bad_shutdown = intruder.msg("shutdown_request", {"restart": False})
        intruder.send(watch.kc.shell_channel.socket, bad_execute)
        intruder.send(watch.kc.control_channel.socket, bad_shutdown)
        record("fault", "messages signed with a wrong key (execute, shutdown)", 2, "messages")

        # the kernel keeps answering correctly signed requests on the same sockets, and stays up
        right = watch.kc.execute('System.out.println("signed right");')
        assert watch.listen(60, lambda: watch.answered(right)), watch.heard[-10:]
        assert watch.stdout_of(right) == "signed right\n"
        watch.listen(5)  # time for a late answer to the forged requests
        assert fault_lab.km.is_alive()
        next_cell_works(fault_lab)

        # nothing ran for the forged requests: nothing on any channel answers them, no output anywhere
        forged = [m for msg in (bad_execute, bad_shutdown) for m in watch.under(msg["header"]["msg_id"])]
        record("lost", "answers or output heard for a wrongly signed request", len(forged), "messages")
        assert forged == [], "the kernel answered a wrongly signed request:\n" + "\n".join(
            f"{c}: {m['header']['msg_type']} {str(m['content'])[:200]}" for c, m in forged)
        assert "signed wrong" not in watch.everything(), watch.everything()[:3000]
    finally:
        watch.close()

    logs = fault_lab.lab_home / "logs"

    def logged():  # in the protocol's own log, also after Spark took over Java's logging
        text = (logs / "protocol.log").read_text(errors="replace") if (logs / "protocol.log").exists() else ""
        return "dropped a message on shell" in text and "dropped a message on control" in text \
            and "invalid signature" in text
    assert wait_until(logged, 10), f"no log line about the dropped messages in {sorted(logs.iterdir())}"
