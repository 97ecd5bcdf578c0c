"""Lesson 9, joins and state, executed end to end in both editions: every table it shows is checked
against what this file works out from the lesson's own data (notebooks/data/...), step by step."""

from __future__ import annotations

import collections
import csv
import json
import re

import pytest

from labharness import ROOT, say
from test_lessons import EDITIONS, assert_runs_clean, cell_with, edition, execute, html_of, last_table, text_of

DATA = ROOT / "notebooks" / "data"
LESSON = "09-joins-and-state.ipynb"


def minute(ts: str) -> int:
    """Minutes after 10:00 of "2025-03-01 HH:MM:SS"."""
    hh, mm = ts[11:16].split(":")
    return int(hh) * 60 + int(mm) - 600


def hhmm(m: int) -> str:
    return f"{(600 + m) // 60:02d}:{(600 + m) % 60:02d}"


def steps_of(folder: str) -> list[list[dict]]:
    """The JSON-lines files of data/FOLDER in file order: one list of records per step."""
    files = sorted((DATA / folder).glob("*.json"), key=lambda f: int(re.search(r"-(\d+)\.json$", f.name).group(1)))
    return [[json.loads(line) for line in f.read_text().splitlines() if line.strip()] for f in files]


def cells_with(nb, text: str):
    return [c for c in nb.cells if c.cell_type == "code" and text in c.source]


# --------------------------------------------------------------------------
# What the lesson's data says, worked out without Spark
# --------------------------------------------------------------------------

def order_payments(delay: int = 10, bound: int = 15):
    """The left outer stream-stream join, step by step: a row is late when it is older than the watermark of
    the step before; matches are written at once; an unmatched order is written with no payment once the
    watermark minus the bound has passed it. Returns (written per step, watermark per step, late rows)."""
    orders, payments = steps_of("orders"), steps_of("payments")
    kept_orders, kept_payments, matched = [], [], set()
    latest_order = latest_payment = None
    watermark, written, marks, late = None, [], [], 0
    for new_orders, new_payments in zip(orders, payments):
        fresh_o = [o for o in new_orders if watermark is None or minute(o["order_time"]) >= watermark]
        fresh_p = [p for p in new_payments if watermark is None or minute(p["payment_time"]) >= watermark]
        late += len(new_orders) + len(new_payments) - len(fresh_o) - len(fresh_p)
        rows = []
        for o in kept_orders + fresh_o:
            for p in kept_payments + fresh_p:
                if (o in fresh_o or p in fresh_p) and o["order_id"] == p["order_id"] \
                        and 0 <= minute(p["payment_time"]) - minute(o["order_time"]) <= bound:
                    rows.append(f"order {o['order_id']}: paid {p['payment_time'][11:16]}")
                    matched.add(o["order_id"])
        kept_orders += fresh_o
        kept_payments += fresh_p
        latest_order = max([latest_order or -999] + [minute(o["order_time"]) for o in new_orders])
        latest_payment = max([latest_payment or -999] + [minute(p["payment_time"]) for p in new_payments])
        watermark = min(latest_order, latest_payment) - delay
        for o in [o for o in kept_orders if minute(o["order_time"]) < watermark - bound]:
            if o["order_id"] not in matched:
                rows.append(f"order {o['order_id']}: no payment")
            kept_orders.remove(o)
        written.append(sorted(rows))
        marks.append(hhmm(watermark))
    return written, marks, late


def deduplicated(delay: int = 10):
    """Per step: notifications arrived so far; rows and state of dropDuplicates("payment_id") (every id,
    forever) and of dropDuplicatesWithinWatermark (late rows dropped, an id kept until the watermark passes
    its first time + delay); the watermark after the step."""
    arrived, seen, state, written_within = 0, set(), {}, 0
    watermark, latest, out = None, None, []
    for notes in steps_of("notifications"):
        arrived += len(notes)
        seen.update(n["payment_id"] for n in notes)
        for n in notes:
            t = minute(n["sent"])
            if (watermark is not None and t < watermark) or n["payment_id"] in state:
                continue
            state[n["payment_id"]] = t + delay
            written_within += 1
        latest = max([latest if latest is not None else -999] + [minute(n["sent"]) for n in notes])
        watermark = latest - delay
        state = {k: expires for k, expires in state.items() if expires >= watermark}
        out.append({"arrived": arrived, "once_rows": len(seen), "once_state": len(seen),
                    "within_rows": written_within, "within_state": len(state), "watermark_after": hhmm(watermark)})
    return out


def sessions(steps: list[list[dict]], gap: int = 5) -> list[dict]:
    """Session windows of `gap` minutes per user over every click (no watermark: nothing is dropped)."""
    by_user = collections.defaultdict(list)
    for step in steps:
        for v in step:
            by_user[v["user"]].append(minute(v["time"]))
    out = []
    for user in sorted(by_user):
        times = sorted(by_user[user])
        start, last, clicks = times[0], times[0], 1
        for t in times[1:] + [None]:
            if t is not None and t < last + gap:
                last, clicks = t, clicks + 1
                continue
            out.append({"user": user, "start": hhmm(start), "end": hhmm(last + gap),
                        "minutes": str(last + gap - start), "clicks": str(clicks)})
            if t is not None:
                start, last, clicks = t, t, 1
    return out


def ended_visits(delay: int = 5, timeout: int = 10):
    """flatMapGroupsWithState with an event-time timeout: late clicks dropped, a user's visit written when the
    watermark passes its last click + timeout. Returns (visits, per-step rows)."""
    state, watermark, latest, visits, per_step = {}, None, None, [], []
    for step, clicks in enumerate(steps_of("visits"), start=1):
        for c in sorted(clicks, key=lambda c: c["time"]):
            if watermark is not None and minute(c["time"]) < watermark:
                continue
            state.setdefault(c["user"], []).append(c)
        latest = max([latest if latest is not None else -999] + [minute(c["time"]) for c in clicks])
        watermark = latest - delay
        ended = sorted(u for u, cs in state.items() if max(minute(c["time"]) for c in cs) + timeout < watermark)
        for user in ended:
            cs = state.pop(user)
            visits.append({"user": user, "clicks": str(len(cs)), "pages": " > ".join(c["page"] for c in cs),
                           "first": cs[0]["time"][11:16], "last": cs[-1]["time"][11:16]})
        per_step.append({"step": str(step), "visits_ended": ", ".join(ended) or "(none)",
                         "users_in_state": str(len(state)), "watermark_after": hhmm(watermark)})
    return visits, per_step


# --------------------------------------------------------------------------
# The lesson
# --------------------------------------------------------------------------

@pytest.mark.parametrize("language", EDITIONS)
def test_joins_and_state_lesson(language, kernel_name, tmp_path, log_dir):
    nb = execute(edition(LESSON, language), kernel_name, tmp_path, log_dir)
    assert_runs_clean(nb)

    # stream-static: the live counts per department are the batch join's, over every person produced
    with open(DATA / "departments" / "departments.csv", newline="") as fh:
        department_of = {r["title"]: r["department"] for r in csv.DictReader(fh)}
    shown = last_table(cell_with(nb, "departments.groupBy(\"department\")")).records()
    assert {r["department"]: r["which"].split(", ") for r in shown} == {
        d: sorted(t for t, dd in department_of.items() if dd == d) for d in set(department_of.values())}
    produced = sum(int(m) for c in cells_with(nb, "--fake people") for m in re.findall(r"--count (\d+)", c.source))
    live = {r["department"]: int(r["count"]) for r in last_table(cell_with(nb, '.queryName("people_per_department")')).records()}
    batch = {r["department"]: int(r["count"]) for r in last_table(cell_with(nb, "peopleNow.createOrReplaceTempView")).records()}
    assert live == batch and sum(live.values()) == produced == 500, (live, batch)
    assert set(live) <= set(department_of.values()) | {"(no department)"}
    unknown = last_table(cell_with(nb, "LEFT ANTI JOIN departments")).records()
    assert unknown and not any(r["title"] in department_of for r in unknown)
    assert sum(int(r["people"]) for r in unknown) == live["(no department)"]
    assert say(language, "liveview.state.stopped") in text_of(cell_with(nb, '.queryName("people_per_department")'))

    # stream-stream: what the join wrote in each step, the watermarks, the late payment dropped
    written, marks, late = order_payments()
    steps = last_table(cell_with(nb, "joinStep(3);")).records()
    assert [r["written"] for r in steps] == [", ".join(w) or "(nothing)" for w in written], steps
    assert [r["watermark_after"] for r in steps] == marks
    assert [r["written"] for r in last_table(cell_with(nb, "joinStep(1);")).records()] == [", ".join(w) for w in written[:2]]
    result = last_table(cell_with(nb, "SELECT * FROM order_payments")).records()
    unpaid = sorted(int(r["order_id"]) for r in result if r["paid_at"] == "null")
    assert unpaid == sorted(int(w.split()[1][:-1]) for step in written for w in step if "no payment" in w) == [3, 5]
    assert len(result) == sum(len(o) for o in steps_of("orders"))
    assert late == 1 and f"rows dropped as too late: {late}," in text_of(cell_with(nb, "numRowsDroppedByWatermark"))
    figure = html_of(cell_with(nb, "displayHtml(joinFigure("))
    assert "<svg" in figure and f"watermark {marks[-1]}" in figure and "stroke='#c62828' stroke-width='2.5'" in figure

    # dropDuplicates: rows written and rows kept in the state, per step
    dedup = last_table(cell_with(nb, "dedupStep(step)")).records()
    assert [{k: v for k, v in r.items() if k != "step"} for r in dedup] == \
        [{k: str(v) for k, v in s.items()} for s in deduplicated()]

    # session windows: after two files (cho's two sessions), and after all four (merged by a late click)
    visits = steps_of("visits")
    tables = [last_table(c).records() for c in cells_with(nb, "SELECT * FROM sessions ORDER BY user, start")
              if c.source.startswith("%%sql")]
    assert tables == [sessions(visits[:2]), sessions(visits)], tables
    assert sum(1 for s in tables[0] if s["user"] == "cho") == 2 and sum(1 for s in tables[1] if s["user"] == "cho") == 1
    assert "<svg" in html_of(cell_with(nb, "displayHtml(sessionFigure("))

    # flatMapGroupsWithState: the visits that timed out, when, and who is still in the state
    expected_visits, expected_steps = ended_visits()
    assert last_table(cell_with(nb, "visitStep(step)")).records() == expected_steps
    got = last_table(cell_with(nb, "SELECT * FROM visits_ended")).records()
    assert sorted(got, key=lambda r: r["user"]) == sorted(expected_visits, key=lambda r: r["user"])

    # the listener heard the query start, its micro-batches (two files each) and its end
    heard = text_of(cell_with(nb, "heard.forEach")).splitlines()
    batches = [line for line in heard if line.startswith("clicks_per_user: batch ")]
    assert heard[0] == "started clicks_per_user" and heard[-1] == "ended clicks_per_user", heard
    assert len(batches) == 2 and sum(int(re.search(r"read (\d+) rows", b).group(1)) for b in batches) == sum(map(len, visits))
    per_user = collections.Counter(v["user"] for step in visits for v in step)
    assert {r["user"]: int(r["count"]) for r in last_table(cell_with(nb, '.queryName("clicks_per_user")')).records()} == per_user
