"""Tab completion and Shift-Tab inspection as a Java user meets them, and compile errors that name the cell.

Through a real Jupyter client: Tab lists the Java API of Spark's classes without Scala's machinery (`$`-names,
the methods of Spark's internal Logging trait), works in the first seconds after a start while the SparkSession is
still starting, and on variables declared earlier in the same cell; Shift-Tab shows Spark's own documentation.
"""

from __future__ import annotations

import re
import time

import pytest

from labharness import LabKernel

# what Spark's internal Logging trait puts on SparkSession, DataStreamReader, ... (never on a Dataset)
LOGGING_NAMES = {"log", "logName", "logInfo", "logDebug", "logTrace", "logWarning", "logError",
                 "isTraceEnabled", "initializeLogIfNecessary", "initializeForcefully"}


def names(reply: dict) -> set[str]:
    assert reply["status"] == "ok", reply
    return {re.sub(r"\(.*$", "", m) for m in reply["matches"]}


def scala_internals(found: set[str]) -> set[str]:
    return {n for n in found if "$" in n or n in LOGGING_NAMES}


def completed(kernel: LabKernel, code: str, real: set[str] = frozenset()) -> set[str]:
    """The names Tab offers at the end of code; real: Logging-like names that are the receiver's own API."""
    reply = kernel.complete(code)
    found = names(reply)
    assert reply["cursor_end"] == len(code), reply
    internals = scala_internals(found) - real
    assert not internals, f"Scala internals offered on Tab after {code!r}: {sorted(internals)}"
    return found


# --------------------------------------------------------------------------
# the Java API, without Scala's machinery
# --------------------------------------------------------------------------


def test_tab_on_spark_lists_the_session_api(spark_kernel):
    found = completed(spark_kernel, "spark.")
    assert {"readStream", "read", "sql", "range", "createDataFrame", "streams", "stop"} <= found, sorted(found)


def test_tab_on_a_dataset_variable(spark_kernel):
    spark_kernel.ok("Dataset<Row> assistFrame = spark.range(3).toDF();")
    found = completed(spark_kernel, "assistFrame.")
    assert {"groupBy", "select", "writeStream", "withWatermark", "show", "filter"} <= found, sorted(found)


def test_tab_on_functions_keeps_the_logarithm(spark_kernel):
    found = completed(spark_kernel, "functions.", real={"log"})
    # functions.log(col) is a real function of the API, not the Logging trait's log()
    assert {"col", "window", "from_json", "count", "log", "log10"} <= found, sorted(found)


def test_tab_on_a_kafka_stream_reader(spark_kernel):
    found = completed(spark_kernel, 'spark.readStream().format("kafka").')
    assert {"option", "options", "load", "schema"} <= found, sorted(found)


def test_a_typed_prefix_offers_no_logging_method(spark_kernel):
    found = completed(spark_kernel, "spark.readStream().lo")
    assert found == {"load"}, sorted(found)


# --------------------------------------------------------------------------
# variables declared earlier in the same cell
# --------------------------------------------------------------------------


def test_tab_on_a_variable_declared_earlier_in_the_cell(spark_kernel):
    code = "Dataset<Row> sameCellWords = spark.range(3).toDF();\nsameCellWords."
    found = completed(spark_kernel, code)
    assert {"groupBy", "writeStream", "select"} <= found, sorted(found)


def test_tab_on_a_var_declared_earlier_in_the_cell(spark_kernel):
    # a lesson's cell: each variable typed from the one before, none of them known to JShell yet
    code = ('Dataset<Row> sameCellLines = spark.readStream().format("socket").option("port", 9999).load();\n'
            'var sameCellCounts = sameCellLines.groupBy("value").count();\n'
            'sameCellCounts.printSchema();\n'
            'var sameCellWriter = sameCellCounts.writeStream();\n'
            "sameCellWriter.outputM")
    found = completed(spark_kernel, code)
    assert found == {"outputMode"}, sorted(found)


def test_nothing_of_the_cell_ran_to_complete_it(spark_kernel):
    spark_kernel.complete('String notRunByTab = "x";\nSystem.out.println(notRunByTab); notRunByTab.')
    result = spark_kernel.run("notRunByTab")
    assert result.status == "error", result.describe()


# --------------------------------------------------------------------------
# Shift-Tab: signature and Spark's own documentation
# --------------------------------------------------------------------------


def test_shift_tab_shows_sparks_documentation(spark_kernel):
    reply = spark_kernel.inspect("spark.readStream")
    assert reply["status"] == "ok" and reply["found"], reply
    text = reply["data"]["text/plain"]
    assert "readStream()" in text, text
    # the first sentence of SparkSession.readStream's own doc comment
    assert "can be used to read streaming data in as a" in text, text


def test_shift_tab_on_a_variable_declared_earlier_in_the_cell(spark_kernel):
    code = "Dataset<Row> sameCellEvents = spark.range(3).toDF();\nsameCellEvents.withWatermark"
    reply = spark_kernel.inspect(code)
    assert reply["status"] == "ok" and reply["found"], reply
    text = reply["data"]["text/plain"]
    assert "withWatermark(" in text, text
    assert "Defines an event time watermark for this `Dataset`." in text, text


# --------------------------------------------------------------------------
# compile errors name the cell
# --------------------------------------------------------------------------


def test_compile_error_names_the_cell(kernel):
    result = kernel.run("int assistCount = assistNoSuchVariable + 1;")
    text = result.error_text
    assert "assistNoSuchVariable" in text, text
    assert "location: this cell" in text, text
    assert not re.search(r"location: class\s*$", text, re.M), text


# --------------------------------------------------------------------------
# the first seconds after a start (a fresh kernel, speaking Korean)
# --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def just_started(kernel_name, log_dir):
    k = LabKernel(kernel_name, log_dir / "code-assist-just-started.log", env={"SPARK_LAB_LANGUAGE": "ko"})
    try:
        k.start()
        yield k
    finally:
        k.stop()


def test_tab_on_spark_right_after_the_start(just_started):
    # the first request the kernel gets: the SparkSession is still starting and no cell has declared `spark`
    t0 = time.monotonic()
    found = completed(just_started, "spark.read")
    took = time.monotonic() - t0
    print(f"first Tab answered in {took:.1f}s")
    assert {"read", "readStream"} <= found, sorted(found)
    found = completed(just_started, "spark.")
    assert {"readStream", "sql", "range", "streams"} <= found, sorted(found)
    # answered from SparkSession's type, not after JShell's start (about 10 s on 2 cores)
    assert took < 5, f"the first Tab waited {took:.1f}s"


def test_compile_error_names_the_cell_in_korean(just_started):
    result = just_started.run("int assistCount = assistNoSuchVariable + 1;")
    assert "location: 이 셀" in result.error_text, result.error_text
