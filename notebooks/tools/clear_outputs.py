#!/usr/bin/env python3
"""Clears the outputs and execution counts of notebooks, so they are committed clean.

    python notebooks/tools/clear_outputs.py                 # every notebook under notebooks/
    python notebooks/tools/clear_outputs.py FILE.ipynb ...  # just these
    python notebooks/tools/clear_outputs.py --check         # list notebooks that have outputs; exit 1 if any

Needs nbformat (in the test environment: .venv/bin/python).
"""
from __future__ import annotations

import sys
from pathlib import Path

import nbformat

NOTEBOOKS = Path(__file__).resolve().parent.parent


def dirty(nb) -> bool:
    return any(c.cell_type == "code" and (c.outputs or c.execution_count is not None) for c in nb.cells)


def main(args: list[str]) -> int:
    check = "--check" in args
    paths = [Path(a) for a in args if a != "--check"] or sorted(
        p for p in NOTEBOOKS.rglob("*.ipynb") if ".ipynb_checkpoints" not in p.parts)
    found = 0
    for path in paths:
        nb = nbformat.read(path, as_version=4)
        if not dirty(nb):
            continue
        found += 1
        if check:
            print(f"has outputs: {path}")
            continue
        for cell in nb.cells:
            if cell.cell_type == "code":
                cell.outputs = []
                cell.execution_count = None
        nbformat.write(nb, path)
        print(f"cleared: {path}")
    return 1 if check and found else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
