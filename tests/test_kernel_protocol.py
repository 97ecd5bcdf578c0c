"""Installation, kernelspec and Jupyter messaging protocol (5.3) behaviour."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest
from jupyter_client.kernelspec import KernelSpecManager

from labharness import TEST_KERNEL_NAME, run_installer
from labharness import (
    DEFAULT_DISPLAY_NAME,
    DEFAULT_KERNEL_NAME,
    JAR,
    iopub_sequence_problems,
    message_problems,
)


# --------------------------------------------------------------------------
# install
# --------------------------------------------------------------------------


def _read_spec(spec_dir):
    path = spec_dir / "kernel.json"
    assert path.is_file(), f"no kernel.json in {spec_dir}; found {list(spec_dir.parent.glob('*'))}"
    return json.loads(path.read_text())


def test_install_prefix_writes_default_kernelspec(kernel_jar, tmp_path):
    proc = run_installer("--prefix", str(tmp_path))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    spec_dir = tmp_path / "share" / "jupyter" / "kernels" / DEFAULT_KERNEL_NAME
    spec = _read_spec(spec_dir)
    assert spec["display_name"] == DEFAULT_DISPLAY_NAME
    assert spec["language"] == "java"
    assert spec["interrupt_mode"] == "message"
    assert isinstance(spec["argv"], list) and "{connection_file}" in spec["argv"], spec["argv"]

    # jupyter_client itself must accept and find the installed spec
    ksm = KernelSpecManager(kernel_dirs=[str(tmp_path / "share" / "jupyter" / "kernels")])
    found = ksm.get_kernel_spec(DEFAULT_KERNEL_NAME)
    assert found.language == "java"
    assert found.interrupt_mode == "message"


def test_install_name_option_names_the_directory(kernel_jar, tmp_path):
    proc = run_installer("--prefix", str(tmp_path), "--name", "my-lab-kernel")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    kernels = tmp_path / "share" / "jupyter" / "kernels"
    assert (kernels / "my-lab-kernel" / "kernel.json").is_file()
    assert not (kernels / DEFAULT_KERNEL_NAME).exists()


def test_install_is_repeatable(kernel_jar, tmp_path):
    """Installing again over an existing kernelspec (an upgrade) works."""
    for _ in range(2):
        proc = run_installer("--prefix", str(tmp_path))
        assert proc.returncode == 0, proc.stdout + proc.stderr
    assert _read_spec(tmp_path / "share" / "jupyter" / "kernels" / DEFAULT_KERNEL_NAME)["language"] == "java"


def test_install_user_goes_to_home_data_dir(kernel_jar, tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in ("JUPYTER_DATA_DIR", "XDG_DATA_HOME")}
    env["HOME"] = str(tmp_path)
    env["JAVA_TOOL_OPTIONS"] = f"-Duser.home={tmp_path}"
    proc = run_installer("--user", env=env)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    spec_dir = tmp_path / ".local" / "share" / "jupyter" / "kernels" / DEFAULT_KERNEL_NAME
    assert _read_spec(spec_dir)["language"] == "java"


def _archive_flags(argv):
    return [a for a in argv if a.startswith("-XX:SharedArchiveFile=")]


def test_install_writes_a_class_archive_the_kernel_jvm_maps(kernelspec_prefix, kernel_name):
    """The installer's training session wrote a class archive, and the kernel's own JVM flags map it: with
    -Xshare:on a JVM that cannot map it (wrong JDK, other jars, a broken file) refuses to start."""
    argv = _read_spec(kernelspec_prefix / "share" / "jupyter" / "kernels" / kernel_name)["argv"]
    flags = _archive_flags(argv)
    assert len(flags) == 1, f"the kernelspec maps no class archive: {argv}"
    archive = Path(flags[0].split("=", 1)[1])
    assert archive.is_file() and archive.stat().st_size > 10_000_000, archive
    jar_at = argv.index("-jar")
    proc = subprocess.run(argv[:jar_at] + ["-Xshare:on", "-jar", argv[jar_at + 1], "--help"],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0 and "Spark Streaming Lab" in proc.stdout, proc.stdout + proc.stderr
    assert "Unable to use shared archive" not in proc.stdout + proc.stderr, proc.stdout + proc.stderr


def test_install_again_reuses_the_class_archive(kernelspec_prefix, kernel_name, tmp_path):
    """The archive belongs to the jar build: a second install of the same jar maps the same file, no new training."""
    first = _archive_flags(_read_spec(kernelspec_prefix / "share" / "jupyter" / "kernels" / kernel_name)["argv"])
    proc = run_installer("--prefix", str(tmp_path))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "training session" not in proc.stdout, proc.stdout
    again = _archive_flags(_read_spec(tmp_path / "share" / "jupyter" / "kernels" / DEFAULT_KERNEL_NAME)["argv"])
    assert again == first


def test_install_without_class_archive(kernel_jar, tmp_path):
    proc = run_installer("--prefix", str(tmp_path), "--no-class-archive")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    argv = _read_spec(tmp_path / "share" / "jupyter" / "kernels" / DEFAULT_KERNEL_NAME)["argv"]
    assert _archive_flags(argv) == [], argv


def test_kernel_spec_used_by_tests_is_visible_to_jupyter(kernel_name):
    spec = KernelSpecManager().get_kernel_spec(kernel_name)
    assert spec.language == "java"
    assert spec.interrupt_mode == "message"
    assert kernel_name == TEST_KERNEL_NAME


# --------------------------------------------------------------------------
# kernel_info
# --------------------------------------------------------------------------


def test_kernel_info_reply(kernel):
    reply, iopub = kernel.request_with_iopub("kernel_info_request", {})
    assert message_problems(reply, None, "kernel_info_reply") == []
    content = reply["content"]
    assert content["status"] == "ok"
    assert content["protocol_version"] == "5.3"
    assert isinstance(content.get("implementation"), str) and content["implementation"]
    assert isinstance(content.get("implementation_version"), str)
    assert isinstance(content.get("banner"), str)
    lang = content["language_info"]
    assert lang["name"] == "java"
    assert isinstance(lang.get("version"), str) and lang["version"]
    assert isinstance(lang.get("file_extension"), str) and lang["file_extension"]
    assert isinstance(lang.get("mimetype"), str)


def test_kernel_info_request_publishes_busy_then_idle(kernel):
    """jupyter_client's wait_for_ready and Jupyter Server's nudge rely on these."""
    reply, iopub = kernel.request_with_iopub("kernel_info_request", {})
    parent = reply["parent_header"]["msg_id"]
    assert iopub_sequence_problems(iopub) == []
    for msg in iopub:
        assert message_problems(msg, parent) == []


# --------------------------------------------------------------------------
# execute: message shapes and counters
# --------------------------------------------------------------------------


def test_execute_reply_and_execution_count(kernel):
    first = kernel.ok("int protoCountA = 1;")
    second = kernel.ok("int protoCountB = 2;")
    n1, n2 = first.reply["execution_count"], second.reply["execution_count"]
    assert isinstance(n1, int) and n1 >= 1
    assert n2 == n1 + 1
    for res in (first, second):
        inputs = res.of_type("execute_input")
        assert len(inputs) == 1, res.describe()
        assert inputs[0]["content"]["code"] == res.code
        assert inputs[0]["content"]["execution_count"] == res.reply["execution_count"]
        assert res.problems == []


def test_execute_result_carries_the_execution_count(kernel):
    res = kernel.ok("6 * 7")
    msgs = res.of_type("execute_result")
    assert len(msgs) == 1, res.describe()
    assert msgs[0]["content"]["execution_count"] == res.reply["execution_count"]
    assert res.problems == []


def test_failed_cell_still_counts_and_reply_has_error_fields(kernel):
    before = kernel.ok("int protoBefore = 0;").reply["execution_count"]
    res = kernel.run('throw new RuntimeException("counted")')
    assert res.status == "error"
    assert res.reply["execution_count"] == before + 1
    for key in ("ename", "evalue", "traceback"):
        assert key in res.reply, res.reply
    assert res.problems == []


def test_silent_execution_has_no_result_and_does_not_count(kernel):
    before = kernel.ok("int protoSilent = 0;").reply["execution_count"]
    res = kernel.run("protoSilent + 100", silent=True)
    assert res.status == "ok", res.describe()
    assert res.of_type("execute_result") == [], res.describe()
    after = kernel.ok("int protoSilent2 = 0;").reply["execution_count"]
    assert after == before + 1


@pytest.mark.parametrize(
    "code",
    [
        'System.out.println("to stdout")',
        'System.err.println("to stderr")',
        "1 + 2",
        'display("shown")',
        "int bad = \"s\";",
        'throw new IllegalArgumentException("bad")',
        'spark.sql("SELECT 1 AS a")',
        "%%sql\nSELECT 2 AS b",
        "%lsmagic",
        "%nosuchmagic",
    ],
    ids=["stdout", "stderr", "result", "display", "compile-error", "exception", "dataset", "sql-magic",
         "lsmagic", "bad-magic"],
)
def test_iopub_messages_follow_protocol_5_3(spark_kernel, code):
    """Every IOPub message has header.version 5.3, a msg_type, the request as parent,
    the content fields its type requires; busy comes first and idle last."""
    res = spark_kernel.run(code)
    assert res.problems == [], res.describe()
    kinds = {m["header"]["msg_type"] for m in res.messages}
    assert kinds - {"status", "execute_input"}, f"no output at all:\n{res.describe()}"


# --------------------------------------------------------------------------
# is_complete
# --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "code,expected",
    [
        ("int x = 1;", "complete"),
        ("System.out.println(1)", "complete"),
        ("for (int i = 0; i < 3; i++) {", "incomplete"),
        ("public static class Box {", "incomplete"),
        ("int x = ;", "invalid"),
    ],
)
def test_is_complete(kernel, code, expected):
    reply = kernel.is_complete(code)
    assert reply["status"] == expected, reply
    if expected == "incomplete":
        assert isinstance(reply.get("indent", ""), str)


# --------------------------------------------------------------------------
# complete / inspect
# --------------------------------------------------------------------------


def _completions(kernel, code):
    reply = kernel.complete(code)
    assert reply["status"] == "ok", reply
    assert reply["cursor_end"] == len(code), reply
    assert 0 <= reply["cursor_start"] <= reply["cursor_end"], reply
    # what the editor shows after accepting each match
    return reply, [code[: reply["cursor_start"]] + m + code[reply["cursor_end"]:] for m in reply["matches"]]


def test_complete_method_of_spark(spark_kernel):
    reply, applied = _completions(spark_kernel, "spark.ran")
    assert any(a.startswith("spark.range") for a in applied), reply
    assert not any(a.startswith("spark.sql") for a in applied), "matches not filtered by prefix: " + str(reply)


def test_complete_class_name(kernel):
    reply, applied = _completions(kernel, "Strin")
    assert "String" in [a.rstrip("(") for a in applied], reply


def test_complete_variable_defined_in_a_cell(kernel):
    kernel.ok("int completionCounterVar = 5;")
    reply, applied = _completions(kernel, "int w = completionCounte")
    assert "int w = completionCounterVar" in [a.rstrip("(") for a in applied], reply


def test_inspect_spark_method(spark_kernel):
    reply = spark_kernel.inspect("spark.range")
    assert reply["status"] == "ok", reply
    assert reply["found"] is True, reply
    assert "range" in reply["data"]["text/plain"], reply


def test_inspect_nothing_found(kernel):
    reply = kernel.inspect("zzNoSuchThing42")
    assert reply["status"] == "ok", reply
    assert reply["found"] is False, reply


# --------------------------------------------------------------------------
# history
# --------------------------------------------------------------------------


def test_history_tail_returns_executed_cells(kernel):
    first = 'String historyMarkerOne = "h1";'
    second = 'String historyMarkerTwo = "h2";'
    kernel.ok(first)
    kernel.ok(second)
    reply = kernel.request(
        "history_request",
        {"output": False, "raw": True, "hist_access_type": "tail", "n": 20},
    )["content"]
    history = reply["history"]
    assert all(isinstance(entry, (list, tuple)) and len(entry) == 3 for entry in history), (
        f"history entries must be [session, line_number, input] lists; got {history[-3:]}"
    )
    inputs = [entry[2] for entry in history]
    assert first in inputs and second in inputs, inputs
    assert inputs.index(first) < inputs.index(second)
    assert reply.get("status") == "ok", f"history_reply content has no status 'ok': {str(reply)[:300]}"


# --------------------------------------------------------------------------
# misc requests
# --------------------------------------------------------------------------


def test_comm_info_request_is_answered(kernel):
    """JupyterLab asks for comm_info when it connects."""
    reply = kernel.request("comm_info_request", {})
    assert reply["header"]["msg_type"] == "comm_info_reply"
    content = reply["content"]
    assert isinstance(content.get("comms"), dict), content
    assert content.get("status") == "ok", f"comm_info_reply content has no status 'ok': {content}"


def test_error_aborts_queued_executions(kernel):
    """stop_on_error (default true): after a failing cell, the requests already queued
    behind it are answered 'aborted' and not run - this is what stops "Run All" at the
    first failing cell in JupyterLab."""
    first = kernel.submit("int queuedA = 1;")
    failing = kernel.submit('throw new RuntimeException("stop here")')
    queued = kernel.submit('System.out.println("queued cell ran")')
    assert first.finish().status == "ok"
    assert failing.finish().status == "error"
    res = queued.finish()
    assert res.status == "aborted", res.describe()
    assert "queued cell ran" not in res.stdout
    # later requests run normally again
    assert kernel.value("queuedA + 1") == "2"
