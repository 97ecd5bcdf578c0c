"""The socket source's two ends going away while a lesson runs: the query that read the lab's socket
server stops (its client is gone), and the server stops under a running query. Neither may hang a
cell or lose the lines the student sends next; each says what happened and what to do."""

from __future__ import annotations

from faults.faultharness import find_free_port, wait_until
from faults.test_bad_input import next_cell_works, rows_of, stop_query, wait_for_rows

READ_SOCKET = ('var {name}Query = spark.readStream().format("socket").option("host", "127.0.0.1")'
               '.option("port", {port}).load()'
               '.writeStream().format("memory").queryName("{name}").start();')


def clients(lab, port: int) -> int:
    for line in lab.ok("%socket status").plain.splitlines():
        if f":{port} " in line and "clients" in line:
            return int(line.split(f":{port}", 1)[1].split("clients")[0].strip())
    raise AssertionError(f"port {port} not in %socket status")


def test_a_reader_that_goes_away_leaves_the_server_working_for_the_next(fault_lab, record):
    port = find_free_port(29411)
    fault_lab.ok(f"%socket start {port}")
    try:
        fault_lab.ok(READ_SOCKET.format(name="first_reader", port=port))
        assert "Sent 1 line(s) to 1 client(s)" in fault_lab.ok(f"%%socket send {port}\nhello").plain
        assert wait_for_rows(fault_lab, "SELECT value FROM first_reader", lambda r: r == ["hello"]) == ["hello"]

        # the client goes away: the query is stopped
        stop_query(fault_lab, "first_reader")
        record("fault", "the query reading %socket stopped (the server's client gone)", 1, "queries")
        assert wait_until(lambda: clients(fault_lab, port) == 0, 30), fault_lab.ok("%socket status").plain
        sent = fault_lab.ok(f"%%socket send {port}\nnobody hears this").plain
        assert sent.startswith("Not delivered: no client is connected to port"), sent
        record("lost", "lines sent while no query reads the socket (the send says so)", 1, "lines")
        next_cell_works(fault_lab)

        # a new query on the same port gets what is sent from now on
        fault_lab.ok(READ_SOCKET.format(name="second_reader", port=port))
        assert "to 1 client(s)" in fault_lab.ok(f"%%socket send {port}\nagain").plain
        assert wait_for_rows(fault_lab, "SELECT value FROM second_reader", lambda r: r == ["again"]) == ["again"]
    finally:
        stop_query(fault_lab, "second_reader")
        fault_lab.run(f"%socket stop {port}")


def test_the_server_stopped_under_a_running_query_says_what_to_do(fault_lab, record):
    port = find_free_port(29511)
    fault_lab.ok(f"%socket start {port}")
    try:
        fault_lab.ok(READ_SOCKET.format(name="orphan_reader", port=port))
        fault_lab.ok(f"%%socket send {port}\none")
        assert wait_for_rows(fault_lab, "SELECT value FROM orphan_reader", lambda r: r == ["one"]) == ["one"]

        said = fault_lab.ok(f"%socket stop {port}").plain
        record("fault", "%socket stop under a running query", 1, "servers")
        assert f"Stopped the socket server on port {port}." in said, said
        assert f"1 running query read port {port}" in said and "does not connect again" in said, said
        next_cell_works(fault_lab)

        # as the message says: start the server, run the query's cell again; it reads what is sent from then on
        fault_lab.ok(f"%socket start {port}")
        stop_query(fault_lab, "orphan_reader")
        fault_lab.ok(READ_SOCKET.format(name="orphan_reader", port=port))
        fault_lab.ok(f"%%socket send {port}\ntwo")
        assert wait_for_rows(fault_lab, "SELECT value FROM orphan_reader", lambda r: r == ["two"]) == ["two"]
        assert rows_of(fault_lab, "SELECT count(*) FROM orphan_reader") == ["1"]
    finally:
        stop_query(fault_lab, "orphan_reader")
        fault_lab.run(f"%socket stop {port}")
