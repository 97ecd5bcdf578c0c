"""The lesson notebooks, executed end to end by nbclient against the installed kernel, as CI
runs them; the outputs a student would read are checked, not just "no error"."""

from __future__ import annotations

import collections
import shutil
import subprocess
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

from labharness import ROOT, STARTUP_TIMEOUT, parse_tables

NOTEBOOKS = ROOT / "notebooks"


def execute(path: Path, kernel_name: str, workdir: Path, log_dir: Path):
    """Runs a copy of the notebook in workdir (checkpoints and data stay out of the repo)."""
    copy = workdir / path.name
    shutil.copy(path, copy)
    nb = nbformat.read(copy, as_version=4)
    client = NotebookClient(nb, kernel_name=kernel_name, timeout=240, startup_timeout=int(STARTUP_TIMEOUT),
                            resources={"metadata": {"path": str(workdir)}})
    with open(log_dir / f"lesson-{path.stem}.log", "ab") as log:
        client.execute(stdout=log, stderr=subprocess.STDOUT)
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


def test_socket_wordcount_lesson(kernel_name, tmp_path, log_dir):
    nb = execute(NOTEBOOKS / "05-socket-wordcount.ipynb", kernel_name, tmp_path, log_dir)
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
    assert "STOPPED" in "".join(o.get("data", {}).get("text/plain", "") for o in query_cell.outputs)

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
