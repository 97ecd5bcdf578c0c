"""The mistakes a student makes in the first hour, each tried through a real client: what the notebook shows
must be Spark's own message (its error class, its text, the SQL with the caret) and, where the lab knows
better, the lab's plain words first, in the notebook's language. The lab's words are read from the kernel's
catalogues (labharness.say), so the tests follow the wording but fail when a hint goes missing."""

from __future__ import annotations

import pytest

from labharness import LabKernel, say


def traceback_of(result) -> list[str]:
    assert result.status == "error" and result.error is not None, result.describe()
    return [line for entry in result.error["traceback"] for line in entry.split("\n")]


def before_any_library_frame(lines: list[str], wanted: str) -> bool:
    """wanted is among the lines a student reads first: before any frame of Spark's own code."""
    for line in lines:
        if wanted in line:
            return True
        if line.strip().startswith("at org.apache.spark") or line.strip().startswith("at scala."):
            return False
    return False


@pytest.fixture(scope="module")
def korean_kernel(kernel_name, log_dir):
    """A kernel that speaks Korean, as one started for a notebook of notebooks/ko/ does."""
    k = LabKernel(kernel_name, log_dir / "first-hour-errors-ko.log", env={"SPARK_LAB_LANGUAGE": "ko"})
    try:
        k.start()
        k.ensure_spark()
    except BaseException:
        k.stop()
        raise
    yield k
    k.stop()


# --- 1. a SQL typo ------------------------------------------------------------------------------------


@pytest.mark.parametrize("code", ["%%sql\nSELEC 1", 'spark.sql("SELEC 1")'], ids=["sql-magic", "spark.sql"])
def test_a_sql_typo_shows_sparks_syntax_error_with_the_sql_and_caret(spark_kernel, code):
    shown = spark_kernel.run(code)
    lines = traceback_of(shown)
    assert shown.error["ename"] == "ParseException", shown.error
    assert "[PARSE_SYNTAX_ERROR] Syntax error at or near 'SELEC'" in shown.error["evalue"], shown.error
    # the SQL with the caret under the mistake, before any of Spark's frames (those are for the full trace)
    assert before_any_library_frame(lines, "[PARSE_SYNTAX_ERROR]"), lines
    at = lines.index("== SQL ==")
    assert lines[at + 1:at + 3] == ["SELEC 1", "^^^"], lines
    assert before_any_library_frame(lines, "^^^"), lines


# --- 2. a misspelled source ---------------------------------------------------------------------------


def test_a_misspelled_source_shows_sparks_error_and_the_name_it_meant(spark_kernel):
    shown = spark_kernel.run('spark.readStream().format("sockt").load()')
    lines = traceback_of(shown)
    hint = say("en", "error.unknown_source", "sockt", "socket")
    assert shown.error["evalue"].split("\n")[0] == hint, shown.error
    assert lines[0].endswith(hint), lines
    assert "[DATA_SOURCE_NOT_FOUND] Failed to find the data source: sockt" in lines[1], lines
    # the class Spark looked for is a detail of its error: nothing ran in a task
    assert "sockt.DefaultSource" in shown.error_text
    assert say("en", "error.in_spark_task", "").strip() not in shown.error_text, shown.error_text


def test_a_misspelled_sink_gets_the_nearest_name_too(spark_kernel):
    shown = spark_kernel.run('spark.readStream().format("rate").load().writeStream().format("consle").start()')
    assert shown.error["evalue"].split("\n")[0] == say("en", "error.unknown_source", "consle", "console"), shown.error
    assert "[DATA_SOURCE_NOT_FOUND]" in shown.error["evalue"], shown.error


def test_a_failing_task_is_still_said_to_be_one(spark_kernel):
    shown = spark_kernel.run(
        "spark.range(3).map((MapFunction<Long, Long>) v -> { "
        'if (v == 2) throw new IllegalStateException("bad row " + v); return v; }, Encoders.LONG()).count()')
    assert shown.error["ename"] == "IllegalStateException", shown.error
    assert shown.error["evalue"] == say("en", "error.in_spark_task", "bad row 2"), shown.error


def test_korean_the_misspelled_source_hint_is_korean(korean_kernel):
    shown = korean_kernel.run('spark.readStream().format("sockt").load()')
    assert shown.error["evalue"].split("\n")[0] == say("ko", "error.unknown_source", "sockt", "socket"), shown.error
    assert "[DATA_SOURCE_NOT_FOUND]" in shown.error["evalue"], shown.error
