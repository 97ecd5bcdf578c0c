"""The Jupyter protocol as front ends read it: a failed cell is one error message with its whole
trace, clear_output from Java, the pager, history."""

from __future__ import annotations

from labharness import say, strip_ansi


def test_a_runtime_error_is_one_error_message_short_lines_first_then_the_whole_trace(kernel):
    res = kernel.run('Integer.parseInt("x" + 1)')
    assert res.status == "error", res.describe()
    kinds = [m["header"]["msg_type"] for m in res.messages if m["header"]["msg_type"] not in ("status", "execute_input")]
    assert kinds == ["error"], res.describe()  # no second message (such as a display with the trace)
    error = res.error
    lines = [strip_ansi(line) for line in error["traceback"]]
    # what the student reads first: the exception and its message, then where in the cell
    assert lines[0] == 'NumberFormatException: For input string: "x1"', lines
    assert "the cell's code" in lines[1], lines
    heading = lines.index(f"── {say('en', 'kernel.full_trace')} ──")
    assert heading >= 2, lines
    # then the whole trace, as Java prints it, in the same traceback
    trace = lines[heading + 1:]
    assert trace[0] == 'java.lang.NumberFormatException: For input string: "x1"', trace
    assert any(line.strip().startswith("at java.base/java.lang.Integer.parseInt") for line in trace), trace
    assert not any("<" in line for line in error["traceback"]), "no markup in a traceback"
    # the execute_reply carries the same error
    assert res.reply["traceback"] == error["traceback"] and res.reply["ename"] == error["ename"] == "NumberFormatException"
    assert res.problems == []


def test_a_compile_error_is_one_error_message_without_a_trace(kernel):
    res = kernel.run("int protoTyped = \"text\";")
    assert [m["header"]["msg_type"] for m in res.messages if m["header"]["msg_type"] not in ("status", "execute_input")] \
        == ["error"], res.describe()
    assert "incompatible types" in res.error_text
    assert say("en", "kernel.full_trace") not in res.error_text, "a compile error has no stack to show"


def outputs(res) -> list[tuple[str, object]]:
    """What the cell sent to its output area, in order: (msg_type, text or wait flag)."""
    shown = []
    for m in res.messages:
        kind, content = m["header"]["msg_type"], m["content"]
        if kind == "stream":
            shown.append((kind, content["text"]))
        elif kind == "clear_output":
            shown.append((kind, content["wait"]))
        elif kind not in ("status", "execute_input"):
            shown.append((kind, content))
    return shown


def test_clear_output_from_java_clears_what_came_before(kernel):
    res = kernel.ok('System.out.println("before"); clearOutput(); System.out.println("after");')
    assert outputs(res) == [("stream", "before\n"), ("clear_output", False), ("stream", "after\n")], res.describe()
    assert res.problems == []


def test_clear_output_with_wait_clears_when_the_next_output_comes(kernel):
    # a loop that redraws its line: each clear waits for the next output, so the area never flickers empty
    res = kernel.ok('for (int i = 1; i <= 3; i++) { clearOutput(true); System.out.println("step " + i); Thread.sleep(60); }')
    assert outputs(res) == [("clear_output", True), ("stream", "step 1\n"), ("clear_output", True), ("stream", "step 2\n"),
                            ("clear_output", True), ("stream", "step 3\n")], res.describe()


def test_clear_output_from_a_thread_the_cell_started_clears_that_cell(kernel):
    res = kernel.ok('Thread t = new Thread(() -> { System.out.println("early"); clearOutput(); });'
                    ' t.start(); t.join(); System.out.println("late");')
    assert outputs(res) == [("stream", "early\n"), ("clear_output", False), ("stream", "late\n")], res.describe()


def test_help_magic_answers_in_the_pager(kernel):
    res = kernel.ok("%help stream")
    assert res.page == say("en", "stream.usage"), res.describe()
    payload = res.reply["payload"]
    assert len(payload) == 1 and payload[0]["source"] == "page" and payload[0]["start"] == 0, payload
    assert outputs(res) == [], "the pager's text is not also in the cell's output"
    # the overview (%help alone) stays in the cell
    assert "NAME?" in kernel.ok("%help").plain


def test_a_question_mark_after_a_magic_name_pages_its_help(kernel):
    assert kernel.ok("%stream?").page == say("en", "stream.usage")
    # the socket magic's usage shows the settings in force (its address, default port and rate)
    socket_help = kernel.ok("%help socket").page
    assert socket_help.startswith("%socket start [PORT]") and "127.0.0.1" in socket_help, socket_help
    assert kernel.ok("socket?").page == socket_help, "a magic's name without % when no Java name is so"


def test_a_question_mark_after_a_java_name_pages_what_inspection_shows(kernel):
    kernel.ok("int pagerCount = 3;")
    page = kernel.ok("pagerCount?").page
    assert page == kernel.inspect("pagerCount")["data"]["text/plain"] and "pagerCount" in page and "int" in page, page
    for asked in ("Dataset?", "Dataset??", " Dataset ? "):
        res = kernel.ok(asked)
        assert res.page == kernel.inspect("Dataset")["data"]["text/plain"], res.describe()
        assert "org.apache.spark.sql.Dataset" in res.page and outputs(res) == [], res.describe()


def test_a_question_mark_after_a_spark_method_pages_its_signature(spark_kernel):
    res = spark_kernel.ok("spark.readStream?")
    assert "DataStreamReader" in res.page and "readStream()" in res.page, res.describe()


def test_a_question_mark_after_an_unknown_name_says_nothing_is_so_named(kernel):
    res = kernel.ok("zzNothingCalledThis?")
    assert res.page is None and res.stdout == say("en", "help.nothing_named", "zzNothingCalledThis") + "\n", res.describe()


def history(kernel, **request) -> list:
    reply = kernel.request("history_request", {"output": False, "raw": True, **request})["content"]
    assert reply["status"] == "ok", reply
    return reply["history"]


def test_history_range_gives_the_cells_between_start_and_stop_with_their_output(kernel):
    first = kernel.ok("40 + 2").reply["execution_count"]
    kernel.ok("int histRangeQuiet = 1;")
    kernel.ok("40 + 3")
    entries = history(kernel, hist_access_type="range", session=0, start=first, stop=first + 2, output=True)
    assert entries == [[1, first, ["40 + 2", "42"]], [1, first + 1, ["int histRangeQuiet = 1;", None]]], entries
    assert history(kernel, hist_access_type="range", session=1, start=first + 2, stop=first + 3) == [[1, first + 2, "40 + 3"]]


def test_history_search_matches_a_glob_keeps_the_last_n_and_can_be_unique(kernel):
    for value in ("a1", "b2", "a3", "a1"):
        kernel.ok(f'String histSearched = "{value}";')
    found = [e[2] for e in history(kernel, hist_access_type="search", pattern='String histSearched = "a?";', n=10)]
    assert found == ['String histSearched = "a1";', 'String histSearched = "a3";', 'String histSearched = "a1";'], found
    found = [e[2] for e in history(kernel, hist_access_type="search", pattern="*histSearched*", n=2)]
    assert found == ['String histSearched = "a3";', 'String histSearched = "a1";'], found
    found = [e[2] for e in history(kernel, hist_access_type="search", pattern="*histSearched*", n=10, unique=True)]
    assert found == ['String histSearched = "b2";', 'String histSearched = "a3";', 'String histSearched = "a1";'], found


def test_history_tail_gives_the_last_n_cells(kernel):
    kernel.ok("int histTailOne = 1;")
    kernel.ok("int histTailTwo = 2;")
    assert [e[2] for e in history(kernel, hist_access_type="tail", n=2)] == ["int histTailOne = 1;", "int histTailTwo = 2;"]
