"""The mistakes a student makes in the first hour, each tried through a real client: what the notebook shows
must be Spark's own message (its error class, its text, the SQL with the caret) and, where the lab knows
better, the lab's plain words first, in the notebook's language. The lab's words are read from the kernel's
catalogues (labharness.say), so the tests follow the wording but fail when a hint goes missing."""

from __future__ import annotations

import time

import pytest

from labharness import LabKernel, say

# ports of this file's socket queries and of a Kafka address where nothing listens (never the lessons' 9999)
NO_SOCKET_SERVER_PORT = 19992
NO_KAFKA_PORT = 19994
STOP_BOUND_SECONDS = 15


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


def start_kernel(kernel_name, log_dir, language: str) -> LabKernel:
    k = LabKernel(kernel_name, log_dir / f"first-hour-errors-{language}.log", env={"SPARK_LAB_LANGUAGE": language})
    try:
        k.start()
        k.ensure_spark()
    except BaseException:
        k.stop()
        raise
    return k


@pytest.fixture(scope="module")
def english_kernel(kernel_name, log_dir):
    """A kernel of this file's own: no other test starts the lab's broker in it, so Kafka is not running."""
    k = start_kernel(kernel_name, log_dir, "en")
    yield k
    k.stop()


@pytest.fixture(scope="module")
def korean_kernel(kernel_name, log_dir):
    """A kernel that speaks Korean, as one started for a notebook of notebooks/ko/ does."""
    k = start_kernel(kernel_name, log_dir, "ko")
    yield k
    k.stop()


@pytest.fixture
def en(english_kernel):
    yield english_kernel
    english_kernel.run("%stream stop all", timeout=60)


def view_text(kernel: LabKernel, name: str) -> str:
    shown = kernel.ok(f"%stream show {name}")
    return "\n".join(d.get("text/plain", "") for d in shown.displays)


def view_saying(kernel: LabKernel, name: str, wanted: str, within: float) -> tuple[str, float]:
    """The query's live view once it says wanted, and when (seconds from now); fails after within seconds."""
    started = time.monotonic()
    while True:
        text = view_text(kernel, name)
        if wanted in text:
            return text, time.monotonic() - started
        if time.monotonic() - started > within:
            pytest.fail(f"the live view of {name} did not say {wanted!r} within {within:.0f} s:\n{text}")
        time.sleep(0.5)


def socket_query(name: str, port: int) -> str:
    return (f'var {name} = spark.readStream().format("socket").option("host", "localhost").option("port", {port}).load()'
            f'.writeStream().format("memory").queryName("{name}").start();')


def kafka_query(name: str, servers: str) -> str:
    return (f'var {name} = spark.readStream().format("kafka").option("kafka.bootstrap.servers", "{servers}")'
            f'.option("subscribe", "first_hour").load()'
            f'.writeStream().format("memory").queryName("{name}").start();')


# --- 1. a SQL typo ------------------------------------------------------------------------------------


@pytest.mark.parametrize("code", ["%%sql\nSELEC 1", 'spark.sql("SELEC 1")'], ids=["sql-magic", "spark.sql"])
def test_a_sql_typo_shows_sparks_syntax_error_with_the_sql_and_caret(en, code):
    shown = en.run(code)
    lines = traceback_of(shown)
    assert shown.error["ename"] == "ParseException", shown.error
    assert "[PARSE_SYNTAX_ERROR] Syntax error at or near 'SELEC'" in shown.error["evalue"], shown.error
    # the SQL with the caret under the mistake, before any of Spark's frames (those are for the full trace)
    assert before_any_library_frame(lines, "[PARSE_SYNTAX_ERROR]"), lines
    at = lines.index("== SQL ==")
    assert lines[at + 1:at + 3] == ["SELEC 1", "^^^"], lines
    assert before_any_library_frame(lines, "^^^"), lines


# --- 2. a misspelled source ---------------------------------------------------------------------------


def test_a_misspelled_source_shows_sparks_error_and_the_name_it_meant(en):
    shown = en.run('spark.readStream().format("sockt").load()')
    lines = traceback_of(shown)
    hint = say("en", "error.unknown_source", "sockt", "socket")
    assert shown.error["evalue"].split("\n")[0] == hint, shown.error
    assert lines[0].endswith(hint), lines
    assert "[DATA_SOURCE_NOT_FOUND] Failed to find the data source: sockt" in lines[1], lines
    # the class Spark looked for is a detail of its error: nothing ran in a task
    assert "sockt.DefaultSource" in shown.error_text
    assert say("en", "error.in_spark_task", "").strip() not in shown.error_text, shown.error_text


def test_a_misspelled_sink_gets_the_nearest_name_too(en):
    shown = en.run('spark.readStream().format("rate").load().writeStream().format("consle").start()')
    assert shown.error["evalue"].split("\n")[0] == say("en", "error.unknown_source", "consle", "console"), shown.error
    assert "[DATA_SOURCE_NOT_FOUND]" in shown.error["evalue"], shown.error


def test_a_failing_task_is_still_said_to_be_one(en):
    shown = en.run(
        "spark.range(3).map((MapFunction<Long, Long>) v -> { "
        'if (v == 2) throw new IllegalStateException("bad row " + v); return v; }, Encoders.LONG()).count()')
    assert shown.error["ename"] == "IllegalStateException", shown.error
    assert shown.error["evalue"] == say("en", "error.in_spark_task", "bad row 2"), shown.error


# --- 4. no socket server -----------------------------------------------------------------------------


def test_a_socket_query_with_no_server_names_socket_start_with_its_port(en):
    en.ok(socket_query("no_server", NO_SOCKET_SERVER_PORT))
    text, _ = view_saying(en, "no_server", "FAILED", within=30)
    hint = say("en", "streaming.socket_no_server", "localhost", NO_SOCKET_SERVER_PORT)
    assert f"%socket start {NO_SOCKET_SERVER_PORT}" in hint
    # the lab's words first, then Spark's own line
    assert f"{say('en', 'liveview.error')} {hint}\njava.net.ConnectException: Connection refused" in text, text


# --- 3. Kafka not started -----------------------------------------------------------------------------


def test_a_kafka_query_with_no_broker_says_so_within_seconds_naming_kafka_start(en):
    embedded = en.value("kafkaBootstrapServers()").strip('"')  # the lab's broker's address; it is not started
    servers = embedded.replace("127.0.0.1", "localhost")  # as a student may write it
    en.ok(kafka_query("no_broker", servers))
    silent = say("en", "liveview.kafka_silent", servers, say("en", "advice.kafka_silent.embedded", ""))
    assert "%kafka start." in silent
    text, waited = view_saying(en, "no_broker", silent, within=20)
    assert waited < 10, f"it took {waited:.1f} s to say that nothing answers"
    assert f"[no_broker] {say('en', 'liveview.state.active')}" in text, text


def test_a_kafka_query_on_another_address_is_told_where_the_notebooks_kafka_is(en):
    embedded = en.value("kafkaBootstrapServers()").strip('"')
    servers = f"localhost:{NO_KAFKA_PORT}"
    en.ok(kafka_query("wrong_port", servers))
    silent = say("en", "liveview.kafka_silent", servers, say("en", "advice.kafka_silent.elsewhere", embedded))
    view_saying(en, "wrong_port", silent, within=20)


# --- 5. stopping a query returns promptly whatever its source does -------------------------------------


@pytest.mark.parametrize("stop", ["query.stop()", "%stream stop"])
def test_stopping_a_kafka_query_that_waits_for_a_broker_returns_within_15_s(en, stop):
    en.ok(kafka_query("waiting", f"localhost:{NO_KAFKA_PORT}"))
    view_saying(en, "waiting", say("en", "liveview.state.active"), within=10)
    time.sleep(3)  # it is fetching offsets from nothing by now
    started = time.monotonic()
    stopped = en.run("waiting.stop();" if stop == "query.stop()" else "%stream stop waiting", timeout=120)
    took = time.monotonic() - started
    assert stopped.status == "ok", stopped.describe()
    assert took < STOP_BOUND_SECONDS, f"{stop} took {took:.1f} s"
    assert f"[waiting] {say('en', 'liveview.state.stopped')}" in view_text(en, "waiting")


# --- in Korean ----------------------------------------------------------------------------------------


def test_korean_the_hints_are_korean(korean_kernel):
    k = korean_kernel
    shown = k.run('spark.readStream().format("sockt").load()')
    assert shown.error["evalue"].split("\n")[0] == say("ko", "error.unknown_source", "sockt", "socket"), shown.error
    assert "[DATA_SOURCE_NOT_FOUND]" in shown.error["evalue"], shown.error

    k.ok(socket_query("no_server_ko", NO_SOCKET_SERVER_PORT + 1))
    text, _ = view_saying(k, "no_server_ko", say("ko", "liveview.state.failed"), within=30)
    assert say("ko", "streaming.socket_no_server", "localhost", NO_SOCKET_SERVER_PORT + 1) in text, text

    embedded = k.value("kafkaBootstrapServers()").strip('"')
    k.ok(kafka_query("no_broker_ko", embedded))
    silent = say("ko", "liveview.kafka_silent", embedded, say("ko", "advice.kafka_silent.embedded", ""))
    view_saying(k, "no_broker_ko", silent, within=20)
    k.run("%stream stop all", timeout=60)
