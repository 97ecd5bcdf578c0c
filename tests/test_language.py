"""The kernel speaks the notebook's language, without the student doing anything: a kernel started for a
notebook of the Korean edition (notebooks/ko/) says its usage errors, %help, live views, %stream lines and
%check results in Korean; the same kernel for an English notebook says them in English; SPARK_LAB_LANGUAGE
forces a language. Real kernels from the installed kernelspec, in a student's copy of the course; the
expected text is read from the kernel's own catalogues (labharness.say), so the tests follow the wording
but fail when the kernel speaks the wrong language or a message is not from the catalogue."""

from __future__ import annotations

import re

import pytest

from labharness import LabKernel, pid_alive, said_like, say
from test_lessons import course_copy

HANGUL = re.compile(r"[가-힣]")

# A wrong answer and the right one for the top_words check (exercise 5): a temporary view of that name is
# the result %check compares, as a stopped query's memory table would be.
WRONG_TOP_WORDS = 'spark.sql("SELECT \'river\' AS word, 1L AS count").createOrReplaceTempView("top_words");'
RIGHT_TOP_WORDS = """
List<String> stopWords = List.of("a", "an", "and", "the", "of", "to", "in", "is", "it", "on", "at", "that", "so", "but");
spark.read().text(courseFile("exercises/data/river.txt"))
    .select(explode(split(lower(col("value")), " ")).as("word"))
    .where(col("word").notEqual("").and(not(col("word").isin(stopWords.toArray()))))
    .groupBy("word").count().orderBy(col("count").desc(), col("word")).limit(5)
    .createOrReplaceTempView("top_words");
"""
TICKS = """
var ticks = spark.readStream().format("rate").option("rowsPerSecond", 5).load()
    .writeStream().format("memory").queryName("ticks").outputMode("append").start();
"""


@pytest.fixture
def start_kernel(kernel_name, log_dir, request):
    """Starts kernels with a working folder and environment of the test's choosing; stops them all."""
    started: list[LabKernel] = []

    def start(label: str, cwd, env: dict[str, str] | None = None) -> LabKernel:
        k = LabKernel(kernel_name, log_dir / f"{request.node.name}-{label}.log", cwd=cwd, env=env)
        started.append(k)
        return k.start()

    yield start
    for k in started:
        pid = k.pid
        k.stop()
        assert pid is None or not pid_alive(pid), f"kernel process {pid} still alive after teardown"


def usage_error_and_help_speak(kernel: LabKernel, language: str) -> None:
    """A magic called wrongly answers in the language, with its usage below; %help stream too."""
    wrong = kernel.run("%stream")
    assert wrong.status == "error" and wrong.error["ename"] == "UsageError", wrong.describe()
    assert wrong.error["evalue"] == say(language, "stream.needs_subcommand"), wrong.error["evalue"]
    assert say(language, "magic.usage_header") in wrong.error["traceback"], wrong.error["traceback"]
    assert say(language, "stream.usage").split("\n")[0] in wrong.error["traceback"]

    unknown = kernel.run("%stream list --fast")
    assert unknown.error["evalue"] == say(language, "magic.option.unknown", "fast"), unknown.error["evalue"]

    shown = kernel.ok("%help stream").page
    assert shown == say(language, "stream.usage"), shown
    listed = kernel.ok("%lsmagic").plain
    assert say(language, "lsmagic.title") in listed and say(language, "check.summary") in listed, listed


def live_view_and_stream_speak(kernel: LabKernel, language: str) -> None:
    """A query's live view, %stream stop/show/progress and a usage error about a query name."""
    started = kernel.ok(TICKS, timeout=180)
    assert f"[ticks] {say(language, 'liveview.state.active')} | {say(language, 'liveview.batch')} " in started.text, \
        started.text
    waited = kernel.ok("%stream wait ticks --batches 2").plain
    at_batch = said_like(language, "stream.at_batch", r"\d+").pattern
    rows_so_far = re.escape(say(language, "liveview.rows_so_far"))
    assert said_like(language, "stream.up_to_date", "ticks", at_batch, r"\d+", rows_so_far).fullmatch(waited), waited

    stopped = kernel.ok("%stream stop ticks").plain
    assert stopped == say(language, "stream.stopped", "ticks"), stopped
    shown = kernel.ok("%stream show ticks").text
    header = f"[ticks] {say(language, 'liveview.state.stopped')} | {say(language, 'liveview.batch')} "
    assert header in shown, shown
    assert say(language, "liveview.mode", "append") in shown and say(language, "liveview.sink", "memory") in shown, shown

    listed = kernel.ok("%stream list").text
    assert say(language, "stream.column.state") in listed and say(language, "liveview.state.stopped") in listed, listed
    progress = kernel.ok("%stream progress ticks").text
    assert said_like(language, "progress.recent", "ticks", r"\d+").search(progress), progress

    missing = kernel.run("%stream show nothing_here")
    assert missing.error["evalue"].startswith(say(language, "stream.no_such_query", "nothing_here")), missing.error


def check_speaks(kernel: LabKernel, language: str) -> None:
    """%check of exercise 5: a wrong answer is "not yet" with expected vs yours; the right one is "well done"."""
    kernel.ok(WRONG_TOP_WORDS)
    wrong = kernel.run("%check top_words", timeout=180)
    assert wrong.status == "error" and wrong.error["ename"] == "CheckFailed", wrong.describe()
    shown = "\n".join(d.get("text/plain", "") for d in wrong.displays)
    assert f": {say(language, 'check.not_passed')} " in shown, shown
    summary = say(language, "check.some_right", 0, 5, say(language, "check.rows_missing.many", 5),
                  say(language, "check.rows_unexpected.one", 1))
    assert summary in shown, shown
    for section in ("check.section.missing", "check.section.unexpected", "check.section.expected", "check.section.yours"):
        assert say(language, section) + ":" in shown, (section, shown)
    assert wrong.error["evalue"].startswith(say(language, "check.failure", summary)), wrong.error["evalue"]
    assert say(language, "check.hint", "") in wrong.error["evalue"], wrong.error["evalue"]

    kernel.ok(RIGHT_TOP_WORDS)
    right = kernel.ok("%check top_words", timeout=180)
    shown = "\n".join(d.get("text/plain", "") for d in right.displays)
    assert f": {say(language, 'check.passed')} {say(language, 'check.all_right', 5)}" in shown, shown


def test_a_kernel_for_a_korean_notebook_speaks_korean(start_kernel, tmp_path):
    # Jupyter starts a notebook's kernel in the notebook's folder: here, the Korean edition's
    kernel = start_kernel("ko", cwd=course_copy(tmp_path) / "ko")
    usage_error_and_help_speak(kernel, "ko")
    kernel.ensure_spark()
    live_view_and_stream_speak(kernel, "ko")
    check_speaks(kernel, "ko")
    # what a Korean student reads: the words themselves, not the English ones
    shown = kernel.ok("%stream show ticks").text
    assert "중지됨" in shown and "STOPPED" not in shown, shown
    assert HANGUL.search(kernel.ok("%help check").page)


def test_the_same_kernel_for_an_english_notebook_speaks_english(start_kernel, tmp_path):
    kernel = start_kernel("en", cwd=course_copy(tmp_path))
    usage_error_and_help_speak(kernel, "en")
    kernel.ensure_spark()
    live_view_and_stream_speak(kernel, "en")
    check_speaks(kernel, "en")
    # the English words the English tests and lessons know, unchanged
    shown = kernel.ok("%stream show ticks").text
    assert "[ticks] STOPPED | batch " in shown and not HANGUL.search(shown), shown
    assert kernel.ok("%stream stop ticks").plain == "Stopped ticks (already stopped)."


@pytest.mark.parametrize("where, env, language", [
    # Jupyter's server names the notebook in JPY_SESSION_NAME (relative to where it starts the kernel)
    ("course", {"JPY_SESSION_NAME": "ko/05-socket-wordcount.ipynb"}, "ko"),
    # an instructor's kernelspec (or a shell) forces a language whatever the notebook's folder
    ("course", {"SPARK_LAB_LANGUAGE": "ko"}, "ko"),
    ("ko", {"SPARK_LAB_LANGUAGE": "en"}, "en"),
], ids=["JPY_SESSION_NAME-ko", "SPARK_LAB_LANGUAGE-ko", "SPARK_LAB_LANGUAGE-en-in-ko"])
def test_the_language_follows_the_session_or_is_forced(where, env, language, start_kernel, tmp_path):
    course = course_copy(tmp_path)
    kernel = start_kernel(where, cwd=course if where == "course" else course / where, env=env)
    usage_error_and_help_speak(kernel, language)
    assert bool(HANGUL.search(kernel.ok("%help socket").page)) == (language == "ko")
