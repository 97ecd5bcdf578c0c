"""docs/reliability.md from one results file of the fault suite (tests/faults/results/<date>.json).

The fault tests record facts as they run (the `record` fixture of conftest.py: kind, what, number, unit);
at the end of a whole run of tests/faults the session writes them, with the run's size, the machine and
its load, to a results file, and this module renders the page from it and the hand-written template
(reliability-template.md, beside this file). `tools/write-reliability [RESULTS]` renders it again
from the latest (or a given) results file, e.g. after the template was edited.

Template placeholders: {{run}} {{faults}} {{bad input}} {{lost}} {{recovery}} {{measured}} {{checked}} {{restarts}}
{{outcomes}},
and {{fact:WHAT}} for one recorded fact, shown with its unit ("(not measured in this run)" if absent).
"""

from __future__ import annotations

import json
import re
import statistics
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
RESULTS = HERE / "results"
TEMPLATE = HERE / "reliability-template.md"
PAGE = ROOT / "docs" / "reliability.md"

# kinds of fact, in the order the page lists them
FAULT, BAD_INPUT, LOST, RECOVERY, MEASURED, CHECKED, RESTART = (
    "fault", "bad input", "lost", "recovery", "measured", "checked", "restart")
# units that measure (shown as values or median and range); any other unit counts (summed)
MEASURES = {"s", "ms", "MB", "KB"}


def latest_results(results_dir: Path = RESULTS) -> Path:
    files = sorted(results_dir.glob("*.json"))
    if not files:
        raise SystemExit(f"no results file in {results_dir}: run `pytest tests/faults -v` first")
    return files[-1]


# --------------------------------------------------------------------------
# facts
# --------------------------------------------------------------------------


def _number(x: float, unit: str) -> str:
    if unit in MEASURES:
        return f"{x:.2f}" if abs(x) < 1 else f"{x:,.1f}" if abs(x) < 1000 else f"{x:,.0f}"
    return f"{int(x):,}" if float(x).is_integer() else f"{x:,.1f}"


def _with_unit(text: str, unit: str) -> str:
    if text == "1" and unit.endswith("s") and unit not in MEASURES:
        unit = unit[:-3] + "y" if unit.endswith("ies") else unit[:-1]  # 1 line, 1 query
    return f"{text} {unit}" if unit else text


def grouped(facts: list[dict], kind: str | None = None) -> dict[str, list[dict]]:
    """Facts by what, in the order first recorded."""
    out: dict[str, list[dict]] = {}
    for f in facts:
        if kind is None or f["kind"] == kind:
            out.setdefault(f["what"], []).append(f)
    return out


def summary(same: list[dict]) -> str:
    """One fact, or several of the same what: counts are summed, measures shown (or their median and range)."""
    unit = same[0]["unit"]
    values = [f["number"] for f in same]
    if unit not in MEASURES:
        return _with_unit(_number(sum(values), unit), unit)
    if len(values) <= 3:
        return _with_unit(" / ".join(_number(v, unit) for v in values), unit)
    return _with_unit(f"median {_number(statistics.median(values), unit)} "
                      f"({_number(min(values), unit)}–{_number(max(values), unit)}, n={len(values)})", unit)


def _tests_of(same: list[dict]) -> str:
    names = []
    for f in same:
        name = "`" + f["test"].split("::")[0].rsplit("/", 1)[-1] + "`"
        if name not in names:
            names.append(name)
    return ", ".join(names)


def fact_table(facts: list[dict], kind: str, header: str) -> str:
    groups = grouped(facts, kind)
    if not groups:
        return f"(nothing of kind {kind!r} recorded in this run)"
    lines = [f"| {header} | | test |", "|---|---|---|"]
    for what, same in groups.items():
        lines.append(f"| {what} | {summary(same)} | {_tests_of(same)} |")
    return "\n".join(lines)


def restart_table(facts: list[dict]) -> str:
    steps: dict[int, dict[str, dict]] = {}
    columns: list[str] = []
    for f in facts:
        if f["kind"] != RESTART:
            continue
        steps.setdefault(f["step"], {})[f["what"]] = f
        if f["what"] not in columns:
            columns.append(f["what"])
    if not steps:
        return "(no restart recorded in this run)"
    lines = ["| | " + " | ".join(columns) + " |", "|---" * (len(columns) + 1) + "|"]
    for step in sorted(steps):
        row = steps[step]
        label = "first start" if step == 0 else f"restart {step}"
        cells = [_with_unit(_number(row[c]["number"], row[c]["unit"]), row[c]["unit"]) if c in row else "–"
                 for c in columns]
        lines.append(f"| {label} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


# --------------------------------------------------------------------------
# the run
# --------------------------------------------------------------------------


def _minutes(seconds: float) -> str:
    m, s = divmod(int(round(seconds)), 60)
    return f"{m} min {s} s" if m else f"{s} s"


def run_paragraph(r: dict) -> str:
    m, size, load, tests = r["machine"], r["size"], r["load"], r["tests"]
    kinds = {f["what"] for f in r["facts"] if f["kind"] in (FAULT, BAD_INPUT)}
    cases = sum(1 for f in r["facts"] if f["kind"] in (FAULT, BAD_INPUT))  # one record per case tried
    lost = grouped(r["facts"], LOST)
    lost_some = [f"{summary(same)} ({what})" for what, same in lost.items() if sum(f["number"] for f in same)]
    kind_of_run = ("CI" if size["ci"] else "local") + f", LAB_FAULT_RESTARTS={size['restarts']}" + \
        (" (CI's size)" if size["restarts"] == 2 else " (a full run)" if size["restarts"] >= 20 else "")
    verdict = f"**{tests['passed']} passed**" + (f", **{tests['failed']} failed**" if tests["failed"] else "") + \
        (f", {tests['skipped']} skipped" if tests["skipped"] else "") + \
        "".join(f" (**failed: `{n.split('tests/faults/', 1)[-1]}`**)" for n, o in tests["outcomes"].items() if o == "failed")
    return "\n".join([
        f"This page was written by the run of `pytest tests/faults` on {r['date']} ({kind_of_run}): "
        f"{tests['total']} tests, {verdict}, in {_minutes(r['seconds'])}; "
        f"results file [`tests/faults/results/{r['file']}`](../tests/faults/results/{r['file']}).",
        f"**{len(kinds)} kinds of fault and bad input, {cases} cases in all. Lost, counted in {len(lost)} ways: "
        + ("nothing" if not lost_some else "; ".join(lost_some) + "; nothing else") + ".**",
        "",
        f"Machine: {m.get('cpu', '?')}, {m.get('cores')} cores, {m.get('memory_gb')} GB; {m.get('java', '?')}; "
        f"Spark {m.get('spark', '?')}; {m.get('platform', '?')}. "
        f"Load average {', '.join(str(x) for x in load['start'])} at the start and "
        f"{', '.join(str(x) for x in load['end'])} at the end"
        + (" (more than its cores could run at once: times are longer than an idle machine gives)."
           if max(load["start"][0], load["end"][0]) > m.get("cores", 2) else "."),
    ])


def outcomes_table(r: dict) -> str:
    lines = ["| test | outcome |", "|---|---|"]
    for nodeid, outcome in r["tests"]["outcomes"].items():
        lines.append(f"| `{nodeid.split('tests/faults/', 1)[-1]}` | {outcome} |")
    return "\n".join(lines)


def render(r: dict, template: str) -> tuple[str, list[str]]:
    """The page, and the {{fact:...}} placeholders the results had no fact for."""
    facts = r["facts"]
    by_what = grouped(facts)
    missing: list[str] = []

    def fact(match: re.Match) -> str:
        what = match.group(1).strip()
        if what not in by_what:
            missing.append(what)
            return "(not measured in this run)"
        return summary(by_what[what])

    sections = {
        "run": run_paragraph(r),
        "faults": fact_table(facts, FAULT, "fault"),
        "bad input": fact_table(facts, BAD_INPUT, "bad input"),
        "lost": fact_table(facts, LOST, "what was lost"),
        "recovery": fact_table(facts, RECOVERY, "recovery"),
        "measured": fact_table(facts, MEASURED, "measured"),
        "checked": fact_table(facts, CHECKED, "checked"),
        "restarts": restart_table(facts),
        "outcomes": outcomes_table(r),
    }
    page = re.sub(r"\{\{fact:([^}]+)\}\}", fact, template)
    for name, text in sections.items():
        page = page.replace("{{" + name + "}}", text)
    left = re.findall(r"\{\{[^}]*\}\}", page)
    if left:
        raise ValueError(f"unknown placeholders in {TEMPLATE.name}: {left}")
    return page, missing


def write(results_path: Path, page: Path = PAGE, template: Path = TEMPLATE) -> tuple[Path, list[str]]:
    r = json.loads(results_path.read_text())
    r["file"] = results_path.name
    text, missing = render(r, template.read_text())
    page.write_text(text)
    return page, missing


def main(argv: list[str]) -> int:
    results = Path(argv[0]) if argv else latest_results()
    page, missing = write(results)
    print(f"wrote {page.relative_to(ROOT)} from {results.name}")
    for what in missing:
        print(f"  not in the results: {{{{fact:{what}}}}}", file=sys.stderr)
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
