"""A whole notebook run by nbclient against the installed kernelspec, then saved
and read back the way JupyterLab would show it."""

from __future__ import annotations

import os
import signal
import subprocess

import nbformat
from nbclient import NotebookClient
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from labharness import STARTUP_TIMEOUT, html_text, only_table, wait_pid_gone

CELLS = [
    ("md", "# Word counts\nA tiny Structured Streaming lab."),
    ("code", "int n = 3;"),
    ("code", 'spark.range(n).selectExpr("id", "id * id AS sq")'),
    ("code", "%%sql\nSELECT 'hello' AS greeting, 42 AS answer"),
    ("code", 'System.out.println("rows: " + spark.range(n).count());'),
    ("code", "display(spark.sql(\"SELECT 'shown' AS word\"));"),
    (
        "code",
        'java.nio.file.Path nbIn = java.nio.file.Files.createTempDirectory("nb-stream");\n'
        'java.nio.file.Files.writeString(nbIn.resolve("a.txt"), "to be or not to be\\n");\n'
        'Dataset<Row> nbWords = spark.readStream().text(nbIn.toString())\n'
        '    .selectExpr("explode(split(value, \' \')) AS word");\n'
        "var nbQuery = nbWords.groupBy(\"word\").count()\n"
        '    .writeStream().outputMode("complete").format("memory").queryName("nb_counts").start();\n'
        "nbQuery.processAllAvailable();\n"
        "nbQuery.stop();",
    ),
    ("code", "%%sql\nSELECT word, `count` AS n FROM nb_counts ORDER BY n DESC, word LIMIT 2"),
    ("code", 'spark.read().text("notes.txt").count()'),
    ("code", "ProcessHandle.current().pid()"),
    ("code", 'throw new IllegalStateException("expected failure")', ["raises-exception"]),
]


def build_notebook(kernel_name: str):
    nb = new_notebook()
    nb.metadata["kernelspec"] = {"name": kernel_name, "display_name": "Spark Streaming (Java)", "language": "java"}
    for kind, source, *tags in CELLS:
        cell = new_markdown_cell(source) if kind == "md" else new_code_cell(source)
        if tags:
            cell.metadata["tags"] = tags[0]
        nb.cells.append(cell)
    return nb


def test_notebook_runs_end_to_end(kernel_name, tmp_path, log_dir):
    nb = build_notebook(kernel_name)
    # a data file next to the notebook, read by a relative path
    (tmp_path / "notes.txt").write_text("first line\nsecond line\n")
    client = NotebookClient(
        nb,
        kernel_name=kernel_name,
        timeout=180,
        startup_timeout=int(STARTUP_TIMEOUT),
        resources={"metadata": {"path": str(tmp_path)}},
    )
    with open(log_dir / "notebook-kernel.log", "ab") as log:
        try:
            client.execute(stdout=log, stderr=subprocess.STDOUT)
        finally:
            # nbclient shuts its kernel down itself; make sure, by the JVM's own pid
            jvm = _jvm_pid_from(nb)
            if jvm is not None and not wait_pid_gone(jvm, 15):
                os.kill(jvm, signal.SIGKILL)
                raise AssertionError(f"notebook kernel JVM {jvm} still running after nbclient finished")

    path = tmp_path / "lab.ipynb"
    nbformat.write(nb, path)
    saved = nbformat.read(path, as_version=4)
    nbformat.validate(saved)
    code = [c for c in saved.cells if c.cell_type == "code"]

    # prompts count 1, 2, 3, ... in order
    assert [c.execution_count for c in code] == list(range(1, len(code) + 1))

    # Dataset value -> HTML table
    out = _only_output(cell(code, "id * id AS sq"), "execute_result")
    table = only_table(out.data["text/html"])
    assert table.headers == ["id", "sq"]
    assert table.records() == [{"id": "0", "sq": "0"}, {"id": "1", "sq": "1"}, {"id": "2", "sq": "4"}]
    assert "text/plain" in out.data

    # %%sql -> HTML table
    out = _only_output(cell(code, "'hello' AS greeting"), "execute_result")
    assert only_table(out.data["text/html"]).records() == [{"greeting": "hello", "answer": "42"}]

    # println -> stream
    out = _only_output(cell(code, "rows: "), "stream")
    assert out.name == "stdout" and out.text == "rows: 3\n"

    # display(Dataset) -> display_data table
    out = _only_output(cell(code, "display("), "display_data")
    assert only_table(out.data["text/html"]).records() == [{"word": "shown"}]

    # the streaming word count, queried with %%sql
    out = _only_output(cell(code, "FROM nb_counts"), "execute_result")
    assert only_table(out.data["text/html"]).records() == [{"word": "be", "n": "2"}, {"word": "to", "n": "2"}]
    assert "more row" not in html_text(out.data["text/html"])

    # relative paths resolve against the notebook's directory
    out = _only_output(cell(code, "notes.txt"), "execute_result")
    assert out.data["text/plain"].strip() == "2"

    # an error cell keeps its error output
    out = _only_output(cell(code, "expected failure"), "error")
    assert out.ename == "IllegalStateException"
    assert "expected failure" in out.evalue


def cell(cells, fragment):
    found = [c for c in cells if fragment in c.source]
    assert len(found) == 1, f"{len(found)} cells contain {fragment!r}"
    return found[0]


def _only_output(c, output_type):
    outs = [o for o in c.outputs if o.output_type == output_type]
    assert len(outs) == 1, f"cell {c.source!r}: expected one {output_type}, outputs: {c.outputs}"
    return outs[0]


def _jvm_pid_from(nb):
    for cell in nb.cells:
        if cell.cell_type == "code" and "ProcessHandle.current().pid()" in cell.source:
            for o in cell.get("outputs", []):
                if o.get("output_type") == "execute_result":
                    try:
                        return int(o["data"]["text/plain"].strip())
                    except (KeyError, ValueError):
                        return None
    return None
