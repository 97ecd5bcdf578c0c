"""Issue 14, item 2, in a real browser: hostile strings in a notebook's outputs run nothing in JupyterLab.

A notebook whose cells put hostile strings into every kind of output (a result table's column names and
values, a live view fed with socket lines, its snapshot, %stream list with a hostile query name, a %check
result) runs cell by cell in JupyterLab 4 (headless Chromium). The strings would set window.__pwned and the
page title if a browser ran them. Outputs made while the notebook runs are trusted, so JupyterLab would run
their scripts and handlers: a control cell shows, through displayHtml (HTML the student writes on purpose),
that it does. Then:

* no hostile script or handler ran (window.__pwned unset, the title unchanged);
* no element came from the data: no script, img or svg in the hostile cells' outputs;
* each string shows in the page as typed.
"""

from __future__ import annotations

import json
import time

import pytest

from browserharness import (
    FRONT_ENDS, KERNEL_DISPLAY_NAME, KERNEL_NAME, QUERY_START_TIMEOUT, free_port, save_screenshot,
)
from test_live_view_browser import NotebookPage

NOTEBOOK = "hostile.ipynb"
IMG = "<img src=x onerror=\"window.__pwned='img';document.title='pwned'\">"
SCRIPT = "</table><script>window.__pwned='script';document.title='pwned'</script>"
SVG = "\"><svg onload=\"window.__pwned='svg'\">"
QUERY = "hostile_browser"
HOSTILE_NAME = "\"><svg onload=\"window.__pwned='name'\">"


def java(s: str) -> str:
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


def cells(port: int) -> list[str]:
    return [
        # 0: a result table
        f"StructType hostileSchema = new StructType().add({java(IMG)}, \"string\").add({java(SVG)}, \"string\");\n"
        f"spark.createDataFrame(List.of(RowFactory.create({java(SCRIPT)}, {java(IMG)})), hostileSchema)",
        # 1, 2: a live view of socket lines, its columns named with hostile strings
        f"%socket start {port}",
        f'spark.readStream().format("socket").option("host", "localhost").option("port", {port}).load()\n'
        f'    .select(col("value").alias({java(IMG)}), col("value").alias({java(SVG)}))\n'
        f'    .writeStream().format("memory").queryName("{QUERY}").start();',
        # 3: the hostile lines
        f"%%socket send {port}\n{SCRIPT}\n{IMG}\n{SVG}",
        # 4, 5: the query caught up; its table as a snapshot
        f"%stream wait {QUERY} --timeout 120",
        f"%stream show {QUERY} --snapshot",
        # 6, 7: a query with a hostile name, listed
        f'spark.readStream().format("rate").load().writeStream().format("console").queryName({java(HOSTILE_NAME)}).start();',
        "%stream list",
        # 8: a check with a hostile title, rows and hint
        "%check hostile",
        # 9: the control: HTML the student writes on purpose does run
        "displayHtml(\"<img src=x onerror=\\\"window.__control='ran'\\\">\");",
    ]


CONTROL = 9
CHECK_FILE = (
    f"Check.named({java(SCRIPT)})\n"
    f"    .result(spark.createDataFrame(List.of(RowFactory.create({java(IMG)})), new StructType().add({java(SVG)}, \"string\")))\n"
    f"    .expect(spark.createDataFrame(List.of(RowFactory.create(\"right\")), new StructType().add({java(SVG)}, \"string\")))\n"
    f"    .hint({java(IMG)})\n"
)

JS_FINDINGS = """
(a) => {
  const cells = Array.from(document.querySelectorAll(a.cell));
  const injected = [];
  cells.forEach((c, i) => {
    if (i === a.control) return;
    // what the kernel's HTML became (JupyterLab's own icons around it are not the data's)
    c.querySelectorAll(a.output + ' .jp-RenderedHTMLCommon').forEach(out => {
      out.querySelectorAll('script, img, svg, iframe, object, embed').forEach(e => injected.push(i + ': ' + e.outerHTML.slice(0, 200)));
      out.querySelectorAll('*').forEach(e => {
        for (const attr of e.attributes) if (attr.name.startsWith('on')) injected.push(i + ': ' + attr.name + ' on ' + e.tagName);
      });
    });
  });
  const rendered = cells.map(c => c.querySelectorAll(a.output + ' .jp-RenderedHTMLCommon').length);
  return {rendered: rendered, pwned: window.__pwned === undefined ? null : String(window.__pwned), control: window.__control || null,
          title: document.title, injected: injected,
          outputs: cells.map(c => { const o = c.querySelector(a.output); return o ? o.innerText : ''; })};
}
"""


def write_notebook(path, port: int) -> None:
    nb = {"nbformat": 4, "nbformat_minor": 5,
          "metadata": {"kernelspec": {"name": KERNEL_NAME, "display_name": KERNEL_DISPLAY_NAME, "language": "java"},
                       "language_info": {"name": "java"}},
          "cells": [{"cell_type": "code", "id": f"cell-{i}", "metadata": {}, "source": source, "outputs": [],
                     "execution_count": None} for i, source in enumerate(cells(port))]}
    path.write_text(json.dumps(nb, indent=1))


@pytest.mark.timeout(600)
def test_hostile_strings_run_nothing_and_show_as_typed_in_jupyterlab(chromium, lab_server, tmp_path):
    fe = FRONT_ENDS["jupyterlab"]
    port = free_port()
    notebook_dir = tmp_path / "notebooks"
    (notebook_dir / "checks").mkdir(parents=True)
    (notebook_dir / "checks" / "hostile.jsh").write_text(CHECK_FILE, encoding="utf-8")
    write_notebook(notebook_dir / NOTEBOOK, port)
    server = lab_server(notebook_dir)
    context = chromium.new_context(viewport={"width": 1280, "height": 1400})
    page = context.new_page()
    page.set_default_timeout(60_000)
    nb = NotebookPage(page, fe, server)
    args = {**nb.args, "control": CONTROL}
    try:
        page.goto(fe.notebook_url(server, NOTEBOOK))
        nb.cell(CONTROL).wait_for()
        server.wait_kernel_idle()
        page.wait_for_selector(fe.kernel_idle, timeout=120_000)
        title = page.title()
        for index in range(len(cells(port))):
            nb.run(index)
            nb.wait_idle(QUERY_START_TIMEOUT)
            if index == 2:
                nb.wait_until("the live view under the query cell", lambda: (nb.view(2) or {}).get("views"),
                              QUERY_START_TIMEOUT)
        # the live view shows the lines (an update after its cell ended)
        nb.wait_until("the hostile lines in the live view",
                      lambda: SCRIPT in page.evaluate(JS_FINDINGS, args)["outputs"][2], 120)
        page.wait_for_timeout(1500)  # any handler the page would run has run by now
        save_screenshot(page, "jupyterlab-hostile-strings")
        found = page.evaluate(JS_FINDINGS, args)
        assert found["control"] == "ran", f"the control's handler did not run: this page runs no handlers\n{found}"
        assert found["pwned"] is None, f"a hostile string ran: window.__pwned = {found['pwned']}"
        assert found["title"] == title, f"the page title changed to {found['title']!r}"
        assert not found["injected"], "elements from the data:\n" + "\n".join(found["injected"])
        assert all(found["rendered"][i] for i in (0, 2, 5, 7, 8)), f"HTML outputs per cell: {found['rendered']}"
        outputs = found["outputs"]
        for index, strings in {0: (IMG, SVG, SCRIPT), 2: (IMG, SVG, SCRIPT), 5: (IMG, SVG, SCRIPT),
                               7: (HOSTILE_NAME,), 8: (SCRIPT, IMG, SVG)}.items():
            for s in strings:
                assert s in outputs[index], f"cell {index} does not show {s!r} as typed:\n{outputs[index]}"
    except BaseException:
        try:
            print(f"--- screenshot: {save_screenshot(page, 'FAILED-hostile-jupyterlab')}")
        except Exception as e:
            print(f"--- no screenshot: {e}")
        print("--- kernel log (last lines):\n" + "\n".join(server.kernel_log().splitlines()[-60:]))
        raise
    finally:
        context.close()
        leftovers = server.stop()
        assert not leftovers, f"kernel processes outlived the server: {leftovers}"
