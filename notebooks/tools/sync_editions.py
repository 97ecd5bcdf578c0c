#!/usr/bin/env python3
"""Copies the code cells of every English notebook into its twin in each edition folder (ko/), in order,
keeping the edition's own text: a lesson or exercise changed in English is changed in every language.

    python notebooks/tools/sync_editions.py            # every notebook that has a twin
    python notebooks/tools/sync_editions.py --check    # list twins whose code differs; exit 1 if any

The twins must have as many code cells as the English notebook (the edition adds or removes text
only). Needs nbformat (in the test environment: .venv/bin/python).
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

import nbformat

NOTEBOOKS = Path(__file__).resolve().parent.parent


def editions() -> list[Path]:
    course = json.loads((NOTEBOOKS / "course.json").read_text(encoding="utf-8"))
    return [NOTEBOOKS / folder for folder in course.get("editions", {}).values()]


def twins():
    for edition in editions():
        for english in sorted(NOTEBOOKS.rglob("*.ipynb")):
            rel = english.relative_to(NOTEBOOKS)
            if ".ipynb_checkpoints" in rel.parts or any(english.is_relative_to(e) for e in editions()):
                continue
            twin = edition / rel
            if twin.exists():
                yield english, twin


def main(args: list[str]) -> int:
    check = "--check" in args
    differ = 0
    for english, twin in twins():
        en, other = nbformat.read(english, as_version=4), nbformat.read(twin, as_version=4)
        en_code = [c for c in en.cells if c.cell_type == "code"]
        other_code = [c for c in other.cells if c.cell_type == "code"]
        if len(en_code) != len(other_code):
            print(f"{twin.relative_to(NOTEBOOKS)}: {len(other_code)} code cells, the English one has {len(en_code)}: "
                  "add or remove them by hand first", file=sys.stderr)
            differ += 1
            continue
        changed = False
        for source, target in zip(en_code, other_code):
            if (target.source, target.metadata.get("tags")) != (source.source, source.metadata.get("tags")):
                changed = True
                target.source = source.source
                if "tags" in source.metadata:
                    target.metadata["tags"] = list(source.metadata["tags"])
                else:
                    target.metadata.pop("tags", None)
        if changed:
            differ += 1
            if check:
                print(f"code differs from the English notebook: {twin.relative_to(NOTEBOOKS)}")
            else:
                nbformat.write(other, twin)
                print(f"synced {twin.relative_to(NOTEBOOKS)}")
    return 1 if check and differ else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
