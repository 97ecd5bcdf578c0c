"""Every exercise: its solution passes its %check, and the unsolved notebook fails the check
with a helpful message (expected vs got), both executed end to end by nbclient."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

from labharness import ROOT, STARTUP_TIMEOUT

EXERCISES = ROOT / "notebooks" / "exercises"
SOLUTIONS = sorted(EXERCISES.glob("*-solution.ipynb"))
UNSOLVED = sorted(p for p in EXERCISES.glob("*.ipynb") if not p.stem.endswith("-solution"))


def run_copy(path: Path, kernel_name: str, tmp_path: Path, log_dir: Path, allow_errors: bool):
    """Runs a copy of the exercises folder (data, checks) so nothing is written into the repo."""
    work = tmp_path / "exercises"
    shutil.copytree(EXERCISES, work, ignore=shutil.ignore_patterns("*.ipynb"))
    copy = work / path.name
    shutil.copy(path, copy)
    nb = nbformat.read(copy, as_version=4)
    client = NotebookClient(nb, kernel_name=kernel_name, timeout=240, startup_timeout=int(STARTUP_TIMEOUT),
                            allow_errors=allow_errors, resources={"metadata": {"path": str(work)}})
    with open(log_dir / f"exercise-{path.stem}.log", "ab") as log:
        client.execute(stdout=log, stderr=subprocess.STDOUT)
    return nb


def check_cell(nb):
    cells = [c for c in nb.cells if c.cell_type == "code" and c.source.lstrip().startswith("%check")]
    assert len(cells) == 1, "an exercise has exactly one %check cell"
    return cells[0]


def plain(cell) -> str:
    return "".join(o.get("data", {}).get("text/plain", "") for o in cell.outputs if "data" in o)


def test_every_exercise_has_a_solution_and_a_check():
    assert UNSOLVED, "no exercises in notebooks/exercises"
    for exercise in UNSOLVED:
        assert (EXERCISES / f"{exercise.stem}-solution.ipynb").exists(), f"{exercise.name} has no solution"
        name = check_cell(nbformat.read(exercise, as_version=4)).source.split()[1]
        assert (EXERCISES / "checks" / f"{name}.jsh").exists(), f"{exercise.name}: no checks/{name}.jsh"


@pytest.mark.parametrize("solution", SOLUTIONS, ids=lambda p: p.stem)
def test_solution_passes_its_check(solution, kernel_name, tmp_path, log_dir):
    nb = run_copy(solution, kernel_name, tmp_path, log_dir, allow_errors=False)
    out = plain(check_cell(nb))
    assert "well done" in out, out


@pytest.mark.parametrize("exercise", UNSOLVED, ids=lambda p: p.stem)
def test_unsolved_exercise_fails_its_check_helpfully(exercise, kernel_name, tmp_path, log_dir):
    nb = run_copy(exercise, kernel_name, tmp_path, log_dir, allow_errors=True)
    cell = check_cell(nb)
    errors = [o for o in cell.outputs if o.output_type == "error"]
    assert errors and errors[0].ename == "CheckFailed", f"the unsolved exercise's check did not fail: {plain(cell)}"
    out = plain(cell)
    assert "not yet" in out and "Expected" in out, out
    # the cells before the check ran: only the check itself says what is wrong
    for c in nb.cells:
        if c.cell_type == "code" and c is not cell and not c.source.startswith("%stream stop"):
            assert not [o for o in c.outputs if o.output_type == "error"], f"cell failed: {c.source[:60]!r}"
