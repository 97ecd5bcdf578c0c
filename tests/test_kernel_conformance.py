"""Jupyter's own conformance suite (jupyter_kernel_test, pinned in tests/requirements.txt) against the lab's
kernel, with a sample for every test it has: every test passes and none is skipped. A sample the suite
gains in a new release, or one left empty here, makes the test fail (it would only be skipped)."""

from __future__ import annotations

import io
import subprocess
import unittest

import jupyter_kernel_test
from jupyter_client.manager import start_new_kernel

from labharness import SPARK_READY_TIMEOUT, STARTUP_TIMEOUT

# What KernelTests uses but is no sample: the kernel it starts, its manager and client.
NOT_SAMPLES = {"kernel_name", "km", "kc"}


class LabKernelConformance(jupyter_kernel_test.KernelTests):
    __test__ = False  # run by the test below, which counts the skipped ones; not collected by pytest

    kernel_name = ""  # the kernelspec the suite installed (set by the test)
    log_path = ""

    language_name = "java"
    file_extension = ".java"

    code_hello_world = 'System.out.println("hello, world")'
    code_stderr = 'System.err.println("to stderr")'
    completion_samples = [
        {"text": "Integer.parseI", "matches": ["parseInt("]},
    ]
    complete_code_samples = ["1", "int conformanceX = 1;", 'System.out.println("done");', "%lsmagic", "Dataset?"]
    incomplete_code_samples = ["for (int i = 0; i < 3; i++) {", "int conformanceY = (1 +", "%%sql\nSELECT 1"]
    invalid_code_samples = ["int conformanceZ = ;"]
    code_page_something = "%help stream"
    code_generate_error = 'throw new IllegalStateException("made to fail")'
    code_execute_result = [
        {"code": "6 * 7", "result": "42"},
        {"code": '"stream" + "ing"', "result": "streaming"},
        {"code": "java.util.List.of(1, 2)", "result": "[1, 2]"},
    ]
    code_display_data = [
        {"code": 'display("shown in the cell")', "mime": "text/plain"},
        {"code": 'displayHtml("<b>bold</b>")', "mime": "text/html"},
    ]
    code_history_pattern = "6*7"
    supported_history_operations = ("tail", "range", "search")
    code_inspect_sample = "Integer.parseInt"
    code_clear_output = 'System.out.println("soon gone"); clearOutput();'

    @classmethod
    def setUpClass(cls) -> None:
        cls._log = open(cls.log_path, "ab")
        cls.km, cls.kc = start_new_kernel(
            kernel_name=cls.kernel_name, startup_timeout=STARTUP_TIMEOUT,
            stdout=cls._log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
        )
        # the suite gives each request 15 s: the first cell waits for JShell and the SparkSession to start
        reply = cls.kc.execute_interactive("spark.version()", timeout=STARTUP_TIMEOUT + SPARK_READY_TIMEOUT,
                                           output_hook=lambda msg: None)
        assert reply["content"]["status"] == "ok", reply["content"]

    @classmethod
    def tearDownClass(cls) -> None:
        try:
            super().tearDownClass()
        finally:
            cls._log.close()


def test_every_sample_of_the_suite_is_given():
    samples = [name for name, value in vars(jupyter_kernel_test.KernelTests).items()
               if not name.startswith("_") and not callable(value) and name not in NOT_SAMPLES]
    assert "code_clear_output" in samples and "code_page_something" in samples, samples  # what the suite calls them
    empty = [name for name in samples if not getattr(LabKernelConformance, name)]
    assert empty == [], f"samples the suite has and this test does not give: {empty}"


def test_jupyter_kernel_test_passes_every_test_and_skips_none(kernel_name, log_dir):
    LabKernelConformance.kernel_name = kernel_name
    LabKernelConformance.log_path = str(log_dir / "conformance-kernel.log")
    suite = unittest.defaultTestLoader.loadTestsFromTestCase(LabKernelConformance)
    report = io.StringIO()
    result = unittest.TextTestRunner(stream=report, verbosity=2).run(suite)
    said = report.getvalue()
    ran = [name for name in dir(LabKernelConformance) if name.startswith("test_")]
    assert result.testsRun == len(ran) and len(ran) >= 12, said
    assert result.failures == [] and result.errors == [], said
    assert result.skipped == [], "skipped: " + "; ".join(f"{test}: {why}" for test, why in result.skipped) + "\n" + said
