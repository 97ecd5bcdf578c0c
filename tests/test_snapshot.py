"""`%stream show NAME --snapshot`: the query's table as it is at that moment, shown once and never
updated (no display id), while the live view under the query's cell goes on. A notebook saved after
Run All then shows, at each step, the numbers of that step."""

from __future__ import annotations

import time


from test_streaming import clean_streams, counts_in, display_id  # noqa: F401 (clean_streams: the fixture that stops queries and sockets)

WORDCOUNT = """Dataset<Row> {v}Lines = spark.readStream().format("socket")
    .option("host", "localhost").option("port", {port}).load();
StreamingQuery {v}Query = {v}Lines.select(expr("explode(split(value, ' ')) as word")).groupBy("word").count()
    .writeStream().format("{sink}").outputMode("complete")
    .option("checkpointLocation", "{chk}").queryName("{name}").start();"""


def snapshots_in(result) -> list[dict]:
    """The snapshots a cell showed (a Spark job it ran may also show a progress bar)."""
    return [m for m in result.of_type("display_data") if "lab-snapshot" in m["content"]["data"].get("text/html", "")]


def iopub_for(kernel, seconds: float) -> list[dict]:
    """What the kernel publishes while no cell runs (the live views' updates go on)."""
    msgs, deadline = [], time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            msgs.append(kernel.kc.get_iopub_msg(timeout=0.5))
        except Exception:
            continue
    return msgs


def test_a_snapshot_keeps_the_counts_of_its_moment_while_the_live_view_goes_on(clean_streams, tmp_path):
    k = clean_streams
    k.ok("%socket start 9931")
    start = k.ok(WORDCOUNT.format(v="snap", port=9931, sink="console", chk=tmp_path / "chk", name="snap_wc"))
    live = display_id(start.of_type("display_data")[0])
    assert live, start.describe()

    k.ok("%%socket send 9931\nthe fox the\ndog")
    k.ok("%stream wait snap_wc --timeout 90")
    snap = k.ok("%stream show snap_wc --snapshot")
    shown = snapshots_in(snap)
    assert len(shown) == 1, snap.describe()
    assert display_id(shown[0]) is None, "a snapshot must have no display id: an update could replace it"
    assert not snap.of_type("update_display_data") or all(display_id(m) == live for m in snap.of_type("update_display_data"))
    data = shown[0]["content"]["data"]
    assert counts_in(data["text/html"]) == {"the": 2, "fox": 1, "dog": 1}
    assert "snap_wc as of batch " in data["text/plain"], data["text/plain"]
    assert "3 rows in table" in data["text/plain"] and "snapshot" in data["text/plain"]
    batch = int(data["text/plain"].split("as of batch ", 1)[1].split("]")[0])

    # the query goes on: the live view follows, the snapshot is never the target of an update
    more = k.ok("%%socket send 9931\nthe dog barks")
    waited = k.ok("%stream wait snap_wc --timeout 90")
    later = more.of_type("update_display_data") + waited.of_type("update_display_data") + \
        [m for m in iopub_for(k, 2) if m["header"]["msg_type"] == "update_display_data"]
    assert later, "the live view was not updated after the second send"
    assert {display_id(m) for m in later} == {live}, [display_id(m) for m in later]
    assert counts_in(later[-1]["content"]["data"]["text/html"]) == {"the": 3, "fox": 1, "dog": 2, "barks": 1}

    # a second snapshot has the new counts and a later batch; the first one's bundle was sent once, as it was
    again = snapshots_in(k.ok("%stream show snap_wc --snapshot"))[0]
    assert display_id(again) is None
    assert counts_in(again["content"]["data"]["text/html"]) == {"the": 3, "fox": 1, "dog": 2, "barks": 1}
    assert int(again["content"]["data"]["text/plain"].split("as of batch ", 1)[1].split("]")[0]) > batch

    # without --snapshot, %stream show is the live view again: same display id, updated with it
    again_live = k.ok("%stream show snap_wc").of_type("display_data")[0]
    assert display_id(again_live) == live


def test_a_memory_query_snapshot_is_current_right_after_wait(clean_streams, tmp_path):
    # the memory sink's table is read on the live views' own thread after each batch: the snapshot reads it itself
    k = clean_streams
    k.ok("%socket start 9932")
    k.ok(WORDCOUNT.format(v="mem", port=9932, sink="memory", chk=tmp_path / "chk", name="snap_mem"))
    for n, line in enumerate(["a b a", "a c"], start=1):
        k.ok(f"%%socket send 9932\n{line}")
        k.ok("%stream wait snap_mem --timeout 90")
        shown = snapshots_in(k.ok("%stream show snap_mem --snapshot"))
        assert len(shown) == 1 and display_id(shown[0]) is None
        expected = {"a": 2, "b": 1} if n == 1 else {"a": 3, "b": 1, "c": 1}
        assert counts_in(shown[0]["content"]["data"]["text/html"]) == expected


def test_snapshot_belongs_to_show(clean_streams):
    k = clean_streams
    wrong = k.run("%stream list --snapshot")
    assert wrong.status == "error" and "--snapshot goes with %stream show only" in wrong.error_text, wrong.describe()
    usage = k.ok("%help stream").page
    assert "%stream show NAME [--snapshot]" in usage, usage
