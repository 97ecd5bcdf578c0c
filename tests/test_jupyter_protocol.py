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
