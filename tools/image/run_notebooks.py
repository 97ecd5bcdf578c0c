"""Executes notebooks through a running Jupyter server as a student's browser does: it opens each one as
a session (POST /api/sessions, so the server starts the kernel in the notebook's folder), reads it
(GET /api/contents), sends its code cells over the kernel's websocket one after the other, keeps what
comes back (streams, displays and their updates, results, errors) as the notebook's outputs, closes the
session and checks the result.

Run by tools/check-image inside a container of the image under test (its Python has tornado and nbformat)
on the host's network, against the server the image's own container publishes on 127.0.0.1. It talks to
its caller in JSON lines on stdout: {"event": "ready", "path": P} before each notebook, then it waits for
one line on stdin (the caller resets its memory counters then), then {"event": "done", ...the result}.

  python run_notebooks.py --url http://127.0.0.1:PORT --token T --out DIR --expect JSON PATH...
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import time
import urllib.parse
import urllib.request
import uuid
from pathlib import Path

import nbformat
from tornado.websocket import websocket_connect

CELL_TIMEOUT = 240  # seconds, as the test suite gives a cell (tests/test_lessons.py)
KERNEL_READY_TIMEOUT = 120


class Server:
    def __init__(self, url: str, token: str):
        self.url = url.rstrip("/")
        self.token = token

    def call(self, method: str, path: str, body: dict | None = None, timeout: float = 120):
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(self.url + path, data=data, method=method, headers={
            "Authorization": f"token {self.token}", "Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=timeout) as response:
            raw = response.read()
        return json.loads(raw) if raw else None

    def websocket_url(self, kernel_id: str, session_id: str) -> str:
        ws = "ws" + self.url[len("http"):]
        return f"{ws}/api/kernels/{kernel_id}/channels?session_id={session_id}"


def message(msg_type: str, content: dict, session_id: str, channel: str = "shell") -> dict:
    return {"header": {"msg_id": uuid.uuid4().hex, "msg_type": msg_type, "username": "student",
                       "session": session_id, "date": "", "version": "5.3"},
            "parent_header": {}, "metadata": {}, "content": content, "channel": channel, "buffers": []}


class Outputs:
    """The outputs of the cells, kept as Jupyter keeps them, with display ids across cells (a live view
    shown by one cell is updated while later cells run)."""

    def __init__(self):
        self.displays: dict[str, list[dict]] = {}

    def add(self, outputs: list, msg: dict, clear_pending: list) -> None:
        kind = msg["header"]["msg_type"]
        content = msg["content"]
        if kind == "update_display_data":
            for out in self.displays.get(content.get("transient", {}).get("display_id", ""), []):
                out["data"], out["metadata"] = content["data"], content.get("metadata", {})
            return
        if kind == "clear_output":
            if content.get("wait"):
                clear_pending[0] = True
            else:
                outputs.clear()
            return
        if kind not in ("stream", "display_data", "execute_result", "error"):
            return
        if clear_pending[0]:
            outputs.clear()
            clear_pending[0] = False
        if kind == "stream":
            if outputs and outputs[-1]["output_type"] == "stream" and outputs[-1]["name"] == content["name"]:
                outputs[-1]["text"] += content["text"]
            else:
                outputs.append(nbformat.v4.new_output("stream", name=content["name"], text=content["text"]))
            return
        if kind == "error":
            outputs.append(nbformat.v4.new_output("error", ename=content["ename"], evalue=content["evalue"],
                                                  traceback=content.get("traceback", [])))
            return
        out = nbformat.v4.new_output(kind, data=content["data"], metadata=content.get("metadata", {}),
                                     **({"execution_count": content.get("execution_count")} if kind == "execute_result" else {}))
        outputs.append(out)
        display_id = content.get("transient", {}).get("display_id")
        if display_id:
            self.displays.setdefault(display_id, []).append(out)


class Kernel:
    def __init__(self, server: Server, kernel_id: str):
        self.server, self.kernel_id = server, kernel_id
        self.session_id = uuid.uuid4().hex
        self.conn = None
        self.outputs = Outputs()
        self.pending: dict[str, list] = {}  # outputs of earlier cells' messages that still arrive

    async def connect(self) -> None:
        request = self.server.websocket_url(self.kernel_id, self.session_id)
        from tornado.httpclient import HTTPRequest
        self.conn = await websocket_connect(HTTPRequest(request, headers={"Authorization": f"token {self.server.token}"}))
        deadline = time.monotonic() + KERNEL_READY_TIMEOUT
        while True:  # the kernel answers kernel_info once it is up
            msg = message("kernel_info_request", {}, self.session_id)
            await self.conn.write_message(json.dumps(msg))
            try:
                while True:
                    reply = await asyncio.wait_for(self.receive(), timeout=5)
                    if reply["parent_header"].get("msg_id") == msg["header"]["msg_id"] and reply["header"]["msg_type"] == "kernel_info_reply":
                        return
            except asyncio.TimeoutError:
                if time.monotonic() > deadline:
                    raise RuntimeError(f"the kernel did not answer kernel_info in {KERNEL_READY_TIMEOUT} s")

    async def receive(self) -> dict:
        raw = await self.conn.read_message()
        if raw is None:
            raise RuntimeError("the kernel's websocket closed (the kernel died?)")
        if isinstance(raw, bytes):  # a message with binary buffers: its JSON part is all we read
            offsets_count = int.from_bytes(raw[:4], "little")
            first = int.from_bytes(raw[4:8], "little")
            second = int.from_bytes(raw[8:12], "little") if offsets_count > 1 else len(raw)
            raw = raw[first:second]
        return json.loads(raw)

    async def execute(self, code: str, outputs: list) -> tuple[int | None, bool]:
        """Runs one cell; its outputs go into `outputs`. (execution count, timed out)."""
        msg = message("execute_request", {"code": code, "silent": False, "store_history": True,
                                          "user_expressions": {}, "allow_stdin": False, "stop_on_error": True},
                      self.session_id)
        msg_id = msg["header"]["msg_id"]
        self.pending[msg_id] = outputs
        clear = [False]
        await self.conn.write_message(json.dumps(msg))
        idle = replied = False
        count = None
        deadline = time.monotonic() + CELL_TIMEOUT
        while not (idle and replied):
            left = deadline - time.monotonic()
            if left <= 0:
                self.server.call("POST", f"/api/kernels/{self.kernel_id}/interrupt")
                return count, True
            try:
                reply = await asyncio.wait_for(self.receive(), timeout=left)
            except asyncio.TimeoutError:
                continue
            parent = reply["parent_header"].get("msg_id")
            kind = reply["header"]["msg_type"]
            if reply.get("channel") == "shell" and parent == msg_id and kind == "execute_reply":
                replied = True
                count = reply["content"].get("execution_count")
            elif kind == "status" and parent == msg_id and reply["content"]["execution_state"] == "idle":
                idle = True
            elif reply.get("channel") == "iopub":
                target = self.pending.get(parent)
                if target is not None or kind == "update_display_data":
                    self.outputs.add(target if target is not None else [], reply, clear if parent == msg_id else [False])
        return count, False


def tags(cell) -> list:
    return cell.get("metadata", {}).get("tags", [])


def plain_text(cell) -> str:
    parts = []
    for out in cell.outputs:
        if out.output_type == "stream":
            parts.append(out.text)
        elif out.output_type == "error":
            parts.append(f"{out.ename}: {out.evalue}")
        elif "data" in out:
            parts.append(out.data.get("text/plain", ""))
    return "\n".join(parts)


def check(nb, path: str, expect: dict) -> list[str]:
    """What is wrong, in the words of the suite's own checks (tests/test_lessons.py assert_runs_clean,
    tests/test_exercises.py test_solution_passes_its_check)."""
    problems = []
    for cell in nb.cells:
        if cell.cell_type != "code" or not cell.get("executed"):
            continue
        errors = [o for o in cell.outputs if o.output_type == "error"]
        if "raises-exception" in tags(cell):
            if not errors:
                problems.append(f"this cell should fail, as the lesson explains, but did not: {cell.source[:80]!r}")
        elif errors:
            problems.append(f"cell failed: {cell.source[:80]!r}: {errors[0].ename}: {errors[0].evalue[:500]}")
    if path.endswith("-solution.ipynb"):
        language = "ko" if path.startswith("ko/") else "en"
        checks = [c for c in nb.cells if c.cell_type == "code" and c.source.lstrip().startswith("%check")]
        if len(checks) != 1:
            problems.append(f"an exercise has exactly one %check cell, this one has {len(checks)}")
        elif expect[language] not in plain_text(checks[0]):
            problems.append(f"the %check cell does not say {expect[language]!r}: {plain_text(checks[0])[-500:]!r}")
    return problems


async def run_notebook(server: Server, path: str, out_dir: Path, expect: dict) -> dict:
    start = time.monotonic()
    model = server.call("GET", f"/api/contents/{urllib.parse.quote(path)}?content=1&type=notebook")
    nb = nbformat.from_dict(model["content"])
    kernel_name = nb.metadata.get("kernelspec", {}).get("name") or server.call("GET", "/api/kernelspecs")["default"]
    session = server.call("POST", "/api/sessions", {"path": path, "name": Path(path).name, "type": "notebook",
                                                    "kernel": {"name": kernel_name}})
    result = {"path": path, "kernel": kernel_name, "cells": 0, "problems": []}
    try:
        kernel = Kernel(server, session["kernel"]["id"])
        await kernel.connect()
        result["kernel_ready_s"] = round(time.monotonic() - start, 1)
        for cell in nb.cells:
            if cell.cell_type != "code":
                continue
            cell.outputs = []
            count, timed_out = await kernel.execute(cell.source, cell.outputs)
            cell.execution_count = count
            cell["executed"] = True
            result["cells"] += 1
            if timed_out:
                result["problems"].append(f"cell timed out after {CELL_TIMEOUT} s: {cell.source[:80]!r}")
                break
            failed = any(o.output_type == "error" for o in cell.outputs)
            if failed and "raises-exception" not in tags(cell):
                break  # as Jupyter's "run all" does: the cells after a failure are not run
        await asyncio.sleep(1)  # the last live view's final update
        result["problems"] += check(nb, path, expect)
    except Exception as e:  # noqa: BLE001 - any failure of one notebook is that notebook's result
        result["problems"].append(f"{type(e).__name__}: {e}")
    finally:
        try:
            server.call("DELETE", f"/api/sessions/{session['id']}")
        except Exception as e:  # noqa: BLE001
            result["problems"].append(f"closing the session failed: {e}")
    for cell in nb.cells:
        cell.pop("executed", None)
    target = out_dir / path
    target.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, target)
    result["seconds"] = round(time.monotonic() - start, 1)
    result["passed"] = not result["problems"]
    return result


async def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--url", required=True)
    parser.add_argument("--token", required=True)
    parser.add_argument("--out", required=True, type=Path)
    parser.add_argument("--expect", required=True, help='JSON: {"en": "well done!", "ko": ...}')
    parser.add_argument("paths", nargs="+")
    args = parser.parse_args()
    server = Server(args.url, args.token)
    expect = json.loads(args.expect)
    for path in args.paths:
        print(json.dumps({"event": "ready", "path": path}), flush=True)
        sys.stdin.readline()
        result = await run_notebook(server, path, args.out, expect)
        print(json.dumps({"event": "done", **result}), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
