"""Line and cell magics: %%sql, %spark, %lsmagic, %help and their errors."""

from __future__ import annotations

import re

from labharness import html_text, only_table


def test_sql_cell_magic_renders_table(spark_kernel):
    res = spark_kernel.ok("%%sql\nSELECT 1 AS a, 'x' AS b")
    assert res.result is not None, res.describe()
    table = only_table(res.result["text/html"])
    assert table.headers == ["a", "b"]
    assert table.records() == [{"a": "1", "b": "x"}]


def test_sql_cell_magic_sees_views_made_in_java(spark_kernel):
    spark_kernel.ok('spark.range(5).createOrReplaceTempView("magic_nums");')
    res = spark_kernel.ok("%%sql\nSELECT sum(id) AS s, count(*) AS c\nFROM magic_nums\nWHERE id > 0")
    assert only_table(res.result["text/html"]).records() == [{"s": "10", "c": "4"}]


def test_sql_cell_magic_result_usable_from_java(spark_kernel):
    """A view made in %%sql is visible to the next Java cell."""
    spark_kernel.ok("%%sql\nCREATE OR REPLACE TEMP VIEW magic_letters AS SELECT 'q' AS letter")
    assert spark_kernel.value('spark.table("magic_letters").count()') == "1"


def test_sql_max_rows_option(spark_kernel):
    res = spark_kernel.ok("%%sql --max-rows 3\nSELECT id FROM range(10)")
    html = res.result["text/html"]
    assert only_table(html).column("id") == ["0", "1", "2"]
    assert "7 more rows" in html_text(html), html


def test_sql_default_max_rows_is_twenty(spark_kernel):
    res = spark_kernel.ok("%%sql\nSELECT id FROM range(30)")
    html = res.result["text/html"]
    assert only_table(html).column("id") == [str(i) for i in range(20)]
    assert "10 more rows" in html_text(html)


def test_sql_error_is_reported(spark_kernel):
    res = spark_kernel.run("%%sql\nSELECT * FROM magic_missing_table")
    assert res.status == "error", res.describe()
    assert "magic_missing_table" in res.error_text


def test_sql_bad_option_value_shows_usage(spark_kernel):
    res = spark_kernel.run("%%sql --max-rows abc\nSELECT 1")
    assert res.status == "error", res.describe()
    text = res.error_text
    assert "usage" in text.lower(), text
    assert "--max-rows" in text


def test_spark_magic_shows_version_master_and_ui(spark_kernel):
    facts = spark_kernel.ok(
        "System.out.println(spark.version());\n"
        "System.out.println(spark.sparkContext().master());\n"
        'System.out.println(spark.sparkContext().uiWebUrl().isDefined() ? spark.sparkContext().uiWebUrl().get() : "-");'
    ).stdout.split()
    version, master, ui = facts
    res = spark_kernel.ok("%spark")
    text = res.text
    assert version in text, res.describe()
    assert master in text, res.describe()
    if ui != "-":
        port = ui.rsplit(":", 1)[-1]
        assert re.search(r"https?://[^\s\"'<>]*:" + port, text), res.describe()


def test_lsmagic_lists_magics(kernel):
    res = kernel.ok("%lsmagic")
    text = res.text
    for name in ("sql", "spark", "lsmagic", "help"):
        assert re.search(r"(?<![\w.])%{0,2}" + name + r"\b", text), f"{name} missing from:\n{text}"


def test_help_magic_shows_usage(kernel):
    res = kernel.ok("%help sql")
    text = res.page  # in the pager, as IPython answers %sql?
    assert text and res.results == [] and res.displays == [], res.describe()
    assert "--max-rows" in text, res.describe()
    assert "usage" in text.lower() or "%%sql" in text


def test_unknown_magic_suggests_closest(kernel):
    res = kernel.run("%sqll")
    assert res.status == "error", res.describe()
    # 'sql' on its own, not just the echo of 'sqll'
    assert re.search(r"(?<![\w.])%{0,2}sql\b(?!\.)", res.error_text), res.error_text


def test_unknown_magic_suggests_spark(kernel):
    res = kernel.run("%sparkk")
    assert res.status == "error", res.describe()
    assert re.search(r"(?<![\w.])%{0,2}spark\b(?!\.)", res.error_text), res.error_text


def test_kernel_usable_after_magic_errors(kernel):
    kernel.run("%nosuch")
    kernel.run("%%sql --max-rows abc\nSELECT 1")
    assert kernel.value("40 + 2") == "42"
