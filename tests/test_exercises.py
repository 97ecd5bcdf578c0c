"""Every exercise: its solution passes its %check, and the unsolved notebook fails the check
with a helpful message (expected vs got), both executed end to end by nbclient."""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest

from labharness import ROOT, say
from test_lessons import execute

NOTEBOOKS = ROOT / "notebooks"
EXERCISES = NOTEBOOKS / "exercises"  # the English exercises, and the checks and data every edition shares
FOLDERS = [EXERCISES, NOTEBOOKS / "ko" / "exercises"]  # each edition's exercises
SOLUTIONS = sorted(p for f in FOLDERS for p in f.glob("*-solution.ipynb"))
UNSOLVED = sorted(p for f in FOLDERS for p in f.glob("*.ipynb") if not p.stem.endswith("-solution"))


def exercise_id(path: Path) -> str:
    return str(path.relative_to(NOTEBOOKS).with_suffix(""))


def run_copy(path: Path, kernel_name: str, tmp_path: Path, log_dir: Path, allow_errors: bool):
    """Runs the exercise in a copy of the course (its data and checks), so nothing is written into the repo."""
    return execute(path, kernel_name, tmp_path, log_dir, allow_errors=allow_errors)


def check_cell(nb):
    cells = [c for c in nb.cells if c.cell_type == "code" and c.source.lstrip().startswith("%check")]
    assert len(cells) == 1, "an exercise has exactly one %check cell"
    return cells[0]


def language_of(path: Path) -> str:
    """The language the kernel speaks for an exercise: Korean in the Korean edition's folder."""
    return "ko" if (NOTEBOOKS / "ko") in path.parents else "en"


def plain(cell) -> str:
    return "".join(o.get("data", {}).get("text/plain", "") for o in cell.outputs if "data" in o)


def test_every_exercise_has_a_solution_and_a_check():
    assert UNSOLVED, "no exercises in notebooks/exercises"
    for exercise in UNSOLVED:
        assert (exercise.parent / f"{exercise.stem}-solution.ipynb").exists(), f"{exercise_id(exercise)} has no solution"
        name = check_cell(nbformat.read(exercise, as_version=4)).source.split()[1]
        assert (EXERCISES / "checks" / f"{name}.jsh").exists(), f"{exercise.name}: no checks/{name}.jsh"


@pytest.mark.parametrize("solution", SOLUTIONS, ids=exercise_id)
def test_solution_passes_its_check(solution, kernel_name, tmp_path, log_dir):
    nb = run_copy(solution, kernel_name, tmp_path, log_dir, allow_errors=False)
    out = plain(check_cell(nb))
    assert say(language_of(solution), "check.passed") in out, out


@pytest.mark.parametrize("exercise", UNSOLVED, ids=exercise_id)
def test_unsolved_exercise_fails_its_check_helpfully(exercise, kernel_name, tmp_path, log_dir):
    nb = run_copy(exercise, kernel_name, tmp_path, log_dir, allow_errors=True)
    cell = check_cell(nb)
    errors = [o for o in cell.outputs if o.output_type == "error"]
    assert errors and errors[0].ename == "CheckFailed", f"the unsolved exercise's check did not fail: {plain(cell)}"
    out = plain(cell)
    language = language_of(exercise)
    assert say(language, "check.not_passed") in out and say(language, "check.section.expected") + ":" in out, out
    # the cells before the check ran: only the check itself says what is wrong
    for c in nb.cells:
        if c.cell_type == "code" and c is not cell and not c.source.startswith("%stream stop"):
            assert not [o for o in c.outputs if o.output_type == "error"], f"cell failed: {c.source[:60]!r}"
