"""The `spark` session: rendering Datasets, show()/printSchema(), code defined in
cells running inside Spark tasks, and Structured Streaming queries."""

from __future__ import annotations

import pytest

from labharness import html_text, only_table, tokens


@pytest.fixture
def sk(spark_kernel):
    yield spark_kernel
    # no streaming query of one test may outlive it
    spark_kernel.run("for (var q : spark.streams().active()) { q.stop(); }", timeout=60)


def test_spark_variable_counts(sk):
    assert sk.value("spark.range(10).count()") == "10"


def test_spark_runs_in_local_mode_with_version(sk):
    res = sk.ok('System.out.println(spark.version() + " " + spark.sparkContext().master())')
    version, master = res.stdout.split()
    assert version == "3.5.7"
    assert master.startswith("local")


def test_dataset_value_renders_as_html_table(sk):
    res = sk.ok("spark.sql(\"SELECT 1 AS a, 'x' AS b\")")
    data = res.result
    assert data is not None, res.describe()
    assert "text/html" in data and "text/plain" in data, data.keys()
    html = data["text/html"]
    assert "<table" in html and "<th" in html
    table = only_table(html)
    assert table.headers == ["a", "b"], table
    assert table.records() == [{"a": "1", "b": "x"}]
    # the text/plain fallback is a table of the values, not Dataset.toString()
    words = tokens(data["text/plain"])
    for word in ("a", "b", "1", "x"):
        assert word in words, data["text/plain"]
    assert "string" not in data["text/plain"], "text/plain looks like the schema, not the rows"


def test_dataset_more_rows_than_limit(sk):
    res = sk.ok("spark.range(25)")
    html = res.result["text/html"]
    table = only_table(html)
    assert table.headers == ["id"]
    assert table.column("id") == [str(i) for i in range(20)]
    assert "5 more rows" in html_text(html), html
    plain = res.result["text/plain"]
    assert "19" in tokens(plain) and "24" not in tokens(plain), plain
    assert "5 more rows" in " ".join(plain.split()), plain


def test_dataset_at_limit_has_no_more_rows_note(sk):
    res = sk.ok("spark.range(20)")
    html = res.result["text/html"]
    assert only_table(html).column("id") == [str(i) for i in range(20)]
    assert "more row" not in html_text(html)


def test_null_rendered_as_null(sk):
    res = sk.ok("spark.sql(\"SELECT CAST(NULL AS STRING) AS n, 7 AS k\")")
    table = only_table(res.result["text/html"])
    assert table.records() == [{"n": "null", "k": "7"}]
    assert "null" in tokens(res.result["text/plain"])


def test_html_in_values_is_escaped(sk):
    res = sk.ok("spark.sql(\"SELECT '<b>bold</b> & co' AS s\")")
    html = res.result["text/html"]
    assert "<b>" not in html, html
    assert only_table(html).records() == [{"s": "<b>bold</b> & co"}]


def test_empty_dataset_renders_headers_only(sk):
    res = sk.ok('spark.sql("SELECT id, id * 2 AS twice FROM range(3)").filter("id > 5")')
    table = only_table(res.result["text/html"])
    assert table.headers == ["id", "twice"]
    assert table.rows == []


def test_display_dataset_mid_cell(sk):
    res = sk.ok('display(spark.range(3));\nSystem.out.println("after display");')
    assert len(res.displays) == 1, res.describe()
    assert "text/html" in res.displays[0]
    assert only_table(res.displays[0]["text/html"]).column("id") == ["0", "1", "2"]
    assert res.stdout == "after display\n"


def test_show_prints_to_cell_stdout(sk):
    res = sk.ok("spark.range(3).show()")
    assert "+---+\n| id|\n+---+\n|  0|\n|  1|\n|  2|\n+---+\n" in res.stdout, res.describe()


def test_print_schema_prints_to_cell_stdout(sk):
    res = sk.ok("spark.sql(\"SELECT 1L AS id, 'x' AS name\").printSchema()")
    assert "root\n" in res.stdout, res.describe()
    assert "|-- id: long (nullable = false)" in res.stdout
    assert "|-- name: string (nullable = false)" in res.stdout


def test_lambda_capturing_cell_variable_runs_in_tasks(sk):
    sk.ok("int factor = 3;")
    code = (
        "spark.range(5).map((MapFunction<Long, Long>) v -> v * factor, Encoders.LONG())"
        ".reduce((ReduceFunction<Long>) Long::sum)"
    )
    assert sk.value(code) == "30"
    # re-running after changing the variable uses the new value
    sk.ok("factor = 4;")
    assert sk.value(code) == "40"


def test_cell_defined_method_used_in_tasks(sk):
    sk.ok("long sparkSq(long v) { return v * v; }")
    code = (
        "spark.range(4).repartition(2)"
        ".map((MapFunction<Long, Long>) v -> sparkSq(v), Encoders.LONG())"
        ".reduce((ReduceFunction<Long>) Long::sum)"
    )
    assert sk.value(code) == "14"


PERSON = """
public static class Person implements java.io.Serializable {
    private String name;
    private int age;
    public Person() {}
    public Person(String name, int age) { this.name = name; this.age = age; }
    public String getName() { return name; }
    public void setName(String name) { this.name = name; }
    public int getAge() { return age; }
    public void setAge(int age) { this.age = age; }
}
"""


def test_cell_defined_bean_with_encoder(sk):
    sk.ok(PERSON)
    sk.ok(
        "Dataset<Person> people = spark.createDataset(java.util.Arrays.asList("
        'new Person("Ann", 28), new Person("Bob", 41), new Person("Cy", 35)), Encoders.bean(Person.class));'
    )
    res = sk.ok(
        "System.out.println(people.filter((FilterFunction<Person>) p -> p.getAge() > 30)"
        ".map((MapFunction<Person, String>) Person::getName, Encoders.STRING())"
        ".orderBy(\"value\").collectAsList())"
    )
    assert res.stdout == "[Bob, Cy]\n"
    # and the bean Dataset renders as a table with the bean's properties
    table = only_table(sk.ok("people.orderBy(\"age\")").result["text/html"])
    assert sorted(table.headers) == ["age", "name"]
    assert table.column("name") == ["Ann", "Cy", "Bob"]


def test_udf_from_cell_lambda(sk):
    sk.ok('spark.udf().register("twice", (UDF1<Integer, Integer>) v -> v * 2, DataTypes.IntegerType);')
    assert sk.value('spark.sql("SELECT twice(21) AS t").first().getInt(0)') == "42"
    table = only_table(sk.ok('spark.sql("SELECT twice(CAST(id AS INT)) AS t FROM range(3)")').result["text/html"])
    assert table.column("t") == ["0", "2", "4"]


def test_spark_error_is_reported(sk):
    res = sk.run('spark.sql("SELECT * FROM no_such_table_xyz")')
    assert res.status == "error"
    assert res.error is not None
    assert "AnalysisException" in res.error["ename"], res.error
    assert "no_such_table_xyz" in res.error_text


def test_exception_inside_task_is_reported(sk):
    res = sk.run(
        "spark.range(3).map((MapFunction<Long, Long>) v -> { "
        'if (v == 2) throw new IllegalStateException("bad row " + v); return v; }, Encoders.LONG()).count()'
    )
    assert res.status == "error"
    assert "bad row 2" in res.error_text
    assert sk.value("spark.range(2).count()") == "2"


# --------------------------------------------------------------------------
# Structured Streaming
# --------------------------------------------------------------------------


def test_streaming_aggregation_into_memory_sink(sk):
    sk.ok(
        'java.nio.file.Path streamIn = java.nio.file.Files.createTempDirectory("lab-stream-in");\n'
        'java.nio.file.Files.writeString(streamIn.resolve("a.csv"), "alice,3\\nbob,4\\nalice,5\\n");\n'
        'Dataset<Row> streamEvents = spark.readStream().schema("name STRING, n INT").csv(streamIn.toString());\n'
        "org.apache.spark.sql.streaming.StreamingQuery totalsQuery = streamEvents.groupBy(\"name\")"
        '.agg(functions.sum("n").alias("total"))'
        '.writeStream().outputMode("complete").format("memory").queryName("stream_totals").start();\n'
        "totalsQuery.processAllAvailable();",
        timeout=180,
    )
    table = only_table(sk.ok('spark.sql("SELECT name, total FROM stream_totals ORDER BY name")').result["text/html"])
    assert table.records() == [{"name": "alice", "total": "8"}, {"name": "bob", "total": "4"}]

    # a new file arrives: the next micro-batch updates the totals
    sk.ok(
        'java.nio.file.Files.writeString(streamIn.resolve("b.csv"), "carol,1\\nbob,6\\n");\n'
        "totalsQuery.processAllAvailable();",
        timeout=180,
    )
    table = only_table(sk.ok('spark.sql("SELECT name, total FROM stream_totals ORDER BY name")').result["text/html"])
    assert table.records() == [
        {"name": "alice", "total": "8"},
        {"name": "bob", "total": "10"},
        {"name": "carol", "total": "1"},
    ]
    assert sk.value("totalsQuery.isActive()") == "true"
    sk.ok("totalsQuery.stop();")
    assert sk.value("totalsQuery.isActive()") == "false"


def test_streaming_foreach_batch_with_cell_lambdas(sk):
    sk.ok(
        'java.nio.file.Path batchIn = java.nio.file.Files.createTempDirectory("lab-batch-in");\n'
        'java.nio.file.Files.writeString(batchIn.resolve("w.txt"), "spark\\nstreaming\\nlab\\n");\n'
        "java.util.List<String> seenWords = java.util.Collections.synchronizedList(new java.util.ArrayList<>());"
    )
    res = sk.ok(
        "spark.readStream().text(batchIn.toString())"
        ".map((MapFunction<Row, String>) r -> r.getString(0).toUpperCase(), Encoders.STRING())"
        ".writeStream()"
        ".foreachBatch((VoidFunction2<Dataset<String>, Long>) (batch, batchId) -> seenWords.addAll(batch.collectAsList()))"
        ".trigger(org.apache.spark.sql.streaming.Trigger.AvailableNow())"
        ".start().awaitTermination();\n"
        "System.out.println(new java.util.TreeSet<>(seenWords));",
        timeout=180,
    )
    assert res.stdout == "[LAB, SPARK, STREAMING]\n"


def test_rate_source_stream_fills_memory_sink(sk):
    sk.ok(
        'var rateQuery = spark.readStream().format("rate").option("rowsPerSecond", "5").load()'
        '.writeStream().format("memory").queryName("rate_rows").start();'
    )
    res = sk.ok(
        "long rateDeadline = System.currentTimeMillis() + 60000;\n"
        'while (spark.sql("SELECT * FROM rate_rows").count() == 0 && System.currentTimeMillis() < rateDeadline) '
        "{ Thread.sleep(200); }\n"
        'System.out.println(spark.sql("SELECT * FROM rate_rows").count() > 0);\n'
        "System.out.println(rateQuery.isActive());",
        timeout=120,
    )
    assert res.stdout == "true\ntrue\n"
    sk.ok("rateQuery.stop();")
    assert sk.value("spark.streams().active().length") == "0"


def test_streaming_dataset_value_shows_schema_not_error(sk):
    res = sk.run('spark.readStream().format("rate").load()')
    assert res.status == "ok", res.describe()
    text = res.text
    assert "timestamp" in text and "value" in text, res.describe()


def test_console_sink_rows_appear_in_the_cell(sk):
    sk.ok(
        'java.nio.file.Path consoleIn = java.nio.file.Files.createTempDirectory("lab-console-in");\n'
        'java.nio.file.Files.writeString(consoleIn.resolve("a.txt"), "hello\\nworld\\n");'
    )
    res = sk.ok(
        'spark.readStream().text(consoleIn.toString()).writeStream().format("console")'
        ".trigger(org.apache.spark.sql.streaming.Trigger.AvailableNow()).start().awaitTermination();",
        timeout=180,
    )
    # as printed text or as a table the kernel draws in the cell: the rows are visible there
    words = tokens(res.text)
    assert "hello" in words and "world" in words, res.describe()


def test_println_inside_tasks_appears_in_the_cell(sk):
    res = sk.ok('spark.range(3).foreach((ForeachFunction<Long>) v -> System.out.println("row " + v));')
    assert sorted(res.stdout.splitlines()) == ["row 0", "row 1", "row 2"], res.describe()


def test_spark_survives_a_cell_of_imports(sk):
    # the lessons start with a cell of imports; `spark` must still be the session after it
    sk.ok("spark.range(3).count()")
    sk.ok("import org.apache.spark.sql.streaming.*;\nimport java.util.concurrent.*;\nimport java.time.*;")
    res = sk.ok("spark.range(5).count()")
    assert res.plain.strip() == "5", res.describe()
