"""Nothing from data reaches the page unescaped (issue 14, item 2), through a real kernel.

Hostile strings (an <img onerror>, a </table><script>, an attribute break-out with <svg onload>,
control characters, a 1 MB line) go through every renderer a student meets:

* a result table (a cell's Dataset value) with hostile column names and values;
* a live view (memory sink) whose columns and rows are hostile socket lines, and a query whose name is
  hostile; a query that fails with a hostile error message;
* the socket feeder's progress for a file with a hostile name;
* a Kafka topic with hostile keys and values (%kafka consume), on the lab's own broker;
* a %check whose title, columns, rows and hint are hostile.

Every display, update and result of those cells must hold the escaped text and no raw <script, <img or
<svg: what a notebook would run.
"""

from __future__ import annotations

import html
import re
import socket
import sys
import time
from pathlib import Path

import pytest

from labharness import LabKernel, html_text

sys.path.insert(0, str(Path(__file__).resolve().parent / "kafka"))
from kafkaharness import find_free_port_pair, stop_kernel_and_brokers  # noqa: E402

IMG = "<img src=x onerror=alert(1)>"
SCRIPT = "</table><script>alert(1)</script>"
SVG = '"><svg onload=alert(1)>'
CONTROL = "nul\u0000 esc\u001b[31m cr\r end"
# a text file's line holds no NUL (%socket feed refuses such a file) and ends at a CR
LINE_CONTROL = "esc\u001b[31m bell\u0007 end"
HOSTILE = [IMG, SCRIPT, SVG]
# what a reader sees of each: the same characters, as entities in the markup
ESCAPED = {IMG: "&lt;img src=x onerror=alert(1)&gt;", SCRIPT: "&lt;/table&gt;&lt;script&gt;alert(1)&lt;/script&gt;",
           SVG: "&quot;&gt;&lt;svg onload=alert(1)&gt;"}
RAW = re.compile(r"<\s*(script|img|svg|iframe|style)\b", re.I)
KAFKA_START_TIMEOUT = 240


def java(s: str) -> str:
    """s as a Java string literal (\\r as an escape: a \\u000d in source would end the line)."""
    out = []
    for c in s:
        if c in '"\\':
            out.append("\\" + c)
        elif c == "\r":
            out.append("\\r")
        elif c == "\n":
            out.append("\\n")
        elif ord(c) < 0x20:
            out.append(f"\\u{ord(c):04x}")
        else:
            out.append(c)
    return '"' + "".join(out) + '"'


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def state_of(kernel, name: str) -> str:
    for line in kernel.ok("%stream list").plain.splitlines():
        cells = [c.strip() for c in line.split("|")]
        if len(cells) > 2 and cells[0] == name:
            return cells[2]
    raise AssertionError(f"{name} not in %stream list")


def markups(res) -> list[str]:
    """The HTML of every display, update and result the cell sent."""
    return [m["content"]["data"]["text/html"] for m in res.messages
            if m["header"]["msg_type"] in ("display_data", "update_display_data", "execute_result")
            and "text/html" in m["content"].get("data", {})]


def assert_safe(markup: str) -> None:
    found = RAW.search(markup)
    assert found is None, f"raw {found.group(0)!r} reached the page:\n{markup[:3000]}"
    for bad in ("onerror=alert(1)>", "onload=alert(1)>"):
        # the attribute text may appear, but only inside escaped text (after &lt;), never as an attribute
        for at in [m.start() for m in re.finditer(re.escape(bad), markup)]:
            assert "&lt;" in markup[max(0, at - 30):at], f"{bad} outside escaped text:\n{markup[:3000]}"
    assert "\u0000" not in markup and "\u001b" not in markup and "\r" not in markup, "a control character in the markup"


def assert_shown_escaped(res, *strings: str) -> str:
    """Every markup the cell sent is safe; together they show each string as escaped text. Returns them joined."""
    shown = markups(res)
    assert shown, f"no HTML output:\n{res.describe()}"
    for markup in shown:
        assert_safe(markup)
    joined = "\n".join(shown)
    for s in strings:
        assert ESCAPED.get(s, html.escape(s)) in joined or s in html_text(joined), \
            f"{s!r} is not shown as text in:\n{joined[:3000]}"
    return joined


@pytest.fixture(scope="module")
def lab(kernel_name, tmp_path_factory, log_dir):
    """A kernel of its own (its own lab home and Kafka port), in a folder with a checks/ folder beside it."""
    root = tmp_path_factory.mktemp("hostile")
    home = root / "home"
    env = {"SPARK_LAB_HOME": str(home), "SPARK_LAB_KAFKA_PORT": str(find_free_port_pair(38092))}
    kernel = LabKernel(kernel_name, log_dir / "hostile-strings.log", cwd=root / "notebook", env=env)
    try:
        kernel.start()
        kernel.ensure_spark()
        yield kernel
    finally:
        stop_kernel_and_brokers(kernel, home)


def test_a_result_table_shows_hostile_column_names_and_values_as_text(lab):
    res = lab.ok(
        f"StructType hostileSchema = new StructType().add({java(IMG)}, \"string\").add({java(SVG)}, \"string\");\n"
        f"spark.createDataFrame(List.of(RowFactory.create({java(SCRIPT)}, {java(CONTROL)}),\n"
        f"    RowFactory.create({java(IMG)}, \"x\".repeat(1_000_000))), hostileSchema)")
    joined = assert_shown_escaped(res, IMG, SVG, SCRIPT)
    assert "nul␀ esc␛[31m cr␍ end" in joined, joined[:3000]
    assert len(joined) < 50_000, "a 1 MB value is cut in the table"


def test_a_live_view_and_socket_lines_show_hostile_text(lab, tmp_path):
    port = free_port()
    lab.ok(f"%socket start {port}")
    start = lab.ok(
        f'spark.readStream().format("socket").option("host", "localhost").option("port", {port}).load()\n'
        f'    .select(col("value").alias({java(IMG)}), col("value").alias({java(SVG)}))\n'
        '    .writeStream().format("memory").queryName("hostile_memory").start();')
    # lines with hostile text, control characters and 1 MB, from a file whose name is hostile too
    lab.ok(f"java.nio.file.Files.write(java.nio.file.Path.of({java(IMG + '.txt')}), "
           f"List.of({java(SCRIPT)}, {java(IMG)}, {java(SVG)}, {java(LINE_CONTROL)}, \"y\".repeat(1_000_000)));")
    feed = lab.ok(f"%socket feed \"{IMG}.txt\" --rate 100 --wait --port {port}")
    assert_shown_escaped(feed, IMG)
    lab.ok("%stream wait hostile_memory --timeout 120")
    shown = lab.ok("%stream show hostile_memory")
    joined = assert_shown_escaped(shown, IMG, SVG, SCRIPT)
    assert "esc␛[31m bell␇ end" in joined, joined[:3000]
    snapshot = lab.ok("%stream show hostile_memory --snapshot")
    assert_shown_escaped(snapshot, IMG, SVG, SCRIPT)
    assert_shown_escaped(start)  # its first view, and any update that came under it

    named = lab.ok(f'spark.readStream().format("rate").load().writeStream().format("console")\n'
                   f'    .queryName({java(SVG)}).start();')
    assert_shown_escaped(named, SVG)
    listed = lab.ok("%stream list")
    assert_shown_escaped(listed, SVG)

    # a query that fails with a hostile message shows it as text in its view
    failing = lab.ok(
        'spark.readStream().format("rate").load().writeStream()\n'
        f'    .foreachBatch((VoidFunction2<Dataset<Row>, Long>) (batch, id) -> {{ throw new IllegalStateException({java(SCRIPT)}); }})\n'
        '    .queryName("hostile_failure").start();')
    assert_shown_escaped(failing)
    deadline = time.monotonic() + 120
    while state_of(lab, "hostile_failure") == "ACTIVE" and time.monotonic() < deadline:
        time.sleep(1)
    failed = lab.ok("%stream show hostile_failure")
    joined = assert_shown_escaped(failed, SCRIPT)
    assert "FAILED" in html_text(joined), joined[:3000]
    lab.ok("%stream stop all")
    lab.ok(f"%socket stop {port}")


def test_kafka_records_with_hostile_keys_and_values_show_as_text(lab):
    assert "started" in lab.ok("%kafka start", timeout=KAFKA_START_TIMEOUT).plain
    lab.ok("%kafka create hostile")
    lab.ok(f"%%kafka produce hostile\n{IMG}\t{SCRIPT}\n{SVG}\t{IMG}")
    # control characters and a 1 MB value go in from Java: a cell's lines cannot hold them
    lab.ok("try (var producer = new org.apache.kafka.clients.producer.KafkaProducer<String, String>(Map.of(\n"
           "        \"bootstrap.servers\", kafkaBootstrapServers(), \"max.request.size\", 2_000_000),\n"
           "        new org.apache.kafka.common.serialization.StringSerializer(),"
           " new org.apache.kafka.common.serialization.StringSerializer())) {\n"
           f"    producer.send(new org.apache.kafka.clients.producer.ProducerRecord<>(\"hostile\", {java(CONTROL)},"
           " \"z\".repeat(900_000))).get();\n"
           "}")
    consumed = lab.ok("%kafka consume hostile --from-beginning")
    joined = assert_shown_escaped(consumed, IMG, SCRIPT, SVG)
    assert "nul␀ esc␛[31m cr␍ end" in joined, joined[:3000]
    assert len(joined) < 100_000, "a 900 kB value is cut in the table"


def test_a_check_with_hostile_title_rows_and_hint_shows_them_as_text(lab):
    checks = lab.cwd / "checks"
    checks.mkdir(exist_ok=True)
    (checks / "hostile.jsh").write_text(
        f"Check.named({java(SCRIPT)})\n"
        f"    .result(spark.createDataFrame(List.of(RowFactory.create({java(IMG)})), new StructType().add({java(SVG)}, \"string\")))\n"
        f"    .expect(spark.createDataFrame(List.of(RowFactory.create({java(CONTROL)})), new StructType().add({java(SVG)}, \"string\")))\n"
        f"    .hint({java(IMG)})\n", encoding="utf-8")
    res = lab.run("%check hostile")
    joined = assert_shown_escaped(res, SCRIPT, IMG, SVG)
    assert "nul␀ esc␛[31m cr␍ end" in joined, joined[:3000]
