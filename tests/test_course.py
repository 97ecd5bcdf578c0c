"""A notebook finds the course it belongs to (notebooks/course.json) from where Jupyter says the notebook
is, not from the folder its kernel started in: the same lesson reads the same files in the English and the
Korean edition, and a notebook outside any course gets an error that says what to do."""

from __future__ import annotations

from pathlib import Path

import pytest

from labharness import LabKernel
from test_lessons import course_copy


def start_kernel(kernel_name: str, log_dir: Path, name: str, cwd: Path, monkeypatch, session: Path | None):
    """A kernel started in cwd; session: the notebook Jupyter's server names in JPY_SESSION_NAME."""
    k = LabKernel(kernel_name, log_dir / f"course-{name}.log")
    k.cwd = cwd
    with monkeypatch.context() as m:
        if session is None:
            m.delenv("JPY_SESSION_NAME", raising=False)
        else:
            m.setenv("JPY_SESSION_NAME", str(session))
        m.delenv("SPARK_LAB_LANGUAGE", raising=False)
        k.start()
    return k


def test_a_korean_lesson_finds_the_courses_files_whatever_folder_its_kernel_started_in(
        kernel_name, tmp_path, log_dir, monkeypatch):
    course = course_copy(tmp_path / "student")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    k = start_kernel(kernel_name, log_dir, "korean-lesson", elsewhere, monkeypatch,
                     course / "ko" / "03-output-modes.ipynb")
    try:
        assert k.value('courseFile("data/clicks")') == str(course / "data" / "clicks")
        assert k.value('courseFile("app/pom.xml")') == str(course / "app" / "pom.xml")
        # a file the course does not have: the error names it, in the notebook's language (Korean)
        missing = k.run('courseFile("data/nothing-here")')
        assert missing.error is not None
        assert "data/nothing-here" in missing.error_text and "강의에" in missing.error_text, missing.error_text
    finally:
        k.stop()


def test_a_notebook_outside_any_course_is_told_where_the_lessons_are(kernel_name, tmp_path, log_dir, monkeypatch):
    lonely = tmp_path / "lonely"
    lonely.mkdir()
    k = start_kernel(kernel_name, log_dir, "no-course", lonely, monkeypatch, None)
    try:
        res = k.run('courseFile("data/clicks")')
        assert res.error is not None, res.describe()
        assert "course.json" in res.error_text and str(lonely) in res.error_text, res.error_text
        assert "notebooks/" in res.error_text  # what to do: open the lessons from the course folder
        assert k.value("1 + 1") == "2", "the kernel goes on after the error"
    finally:
        k.stop()
