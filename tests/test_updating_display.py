"""The updating display (output/UpdatingDisplay) as a student sees it through a real client:
a Spark job that runs for a while shows a progress bar under its cell, updated in place, and gone
when the cell ends; every update of it goes out under the cell being run, so nbclient sees it."""

from __future__ import annotations


def display_id(msg: dict) -> str | None:
    return (msg["content"].get("transient") or {}).get("display_id")


def test_a_long_spark_job_shows_a_progress_bar_that_updates_and_goes_away(spark_kernel):
    res = spark_kernel.ok("spark.range(8).repartition(8).foreach((ForeachFunction<Long>) x -> Thread.sleep(700));",
                          timeout=180)
    shown = [m for m in res.messages if m["header"]["msg_type"] == "display_data"
             and (display_id(m) or "").startswith("spark-progress-")]
    assert len(shown) == 1, f"one progress bar, shown once:\n{res.describe()}"
    bar = display_id(shown[0])
    assert "<progress" in shown[0]["content"]["data"]["text/html"], shown[0]
    assert "tasks done" in shown[0]["content"]["data"]["text/plain"], shown[0]
    updates = [m for m in res.messages if m["header"]["msg_type"] == "update_display_data" and display_id(m) == bar]
    assert len(updates) >= 2, f"the bar moves, then goes:\n{res.describe()}"
    assert any("tasks done" in u["content"]["data"]["text/plain"] for u in updates[:-1]), updates
    last = updates[-1]["content"]["data"]
    assert last.get("text/plain") == "" and last.get("text/html") == "", f"the bar is gone when the cell ends: {last}"
    # at most one update per 250 ms: the job ran about 3 s on this machine's cores
    span = res.arrivals[-1] - res.arrivals[0]
    assert len(updates) <= span / 0.25 + 2, f"{len(updates)} updates in {span:.1f} s"
