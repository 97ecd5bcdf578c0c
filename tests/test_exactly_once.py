"""Exactly-once across a crash, against the lab's own broker (Kafka faults under a running query are
in test_kafka_faults.py).

N fake people go into a topic; a query counts them per title, micro-batch by micro-batch, into an
H2 table. The kernel is killed (SIGKILL) in the middle of a micro-batch: after the sink wrote it,
before Spark recorded it as done. A new kernel runs the same query from the same checkpoint to
the end: every title's count equals what is in the topic, nothing lost, nothing counted twice. The next
kernel finds nothing of the dead one in its way: its broker followed it out, the stale pid file is not
believed, the port and Kafka's lock on its data are free, the H2 file opens.

What "exactly once" means here. Spark's Kafka source can replay any range of offsets. Before a
micro-batch runs, Spark writes the offsets it will read to the checkpoint (offsets/N); after the sink
has taken the batch, it writes commits/N. A crash between the two makes the next run execute batch N
again, with the same offsets and the state (the counts) as of batch N-1, so the sink receives the same
rows a second time. Exactly-once *output* therefore needs a sink for which a second write of a batch
changes nothing. The sink here is idempotent: in update mode each row is a title's new total, and it is
written with MERGE (upsert by title), in one transaction with a row that counts how often that batch
was written. Writing batch N twice leaves the same totals. (An append of per-batch increments would
count batch N twice; the attempts column shows that the replay really happened.)
"""

from __future__ import annotations

import json
import os
import re
import signal
import sys
import time
from pathlib import Path

import pytest

from labharness import only_table, wait_pid_gone
from test_kafka_lesson import DUMP_TOPIC, dumped_text, title_of

sys.path.insert(0, str(Path(__file__).resolve().parent / "kafka"))
from kafkaharness import broker_pids, find_free_port_pair, start_kernel_with_env  # noqa: E402

KAFKA_START_TIMEOUT = 180
RECORDS = 4000
PER_BATCH = 500  # maxOffsetsPerTrigger: about 8 micro-batches
KILL_IN_BATCH = 2  # the micro-batch the first kernel dies in
SINK_PAUSE_MS = 1500  # after the sink's write, so the test can kill before Spark commits the batch

COUNTING = r"""
// WRITE_DELAY=0: a commit is in the file when commit() returns (H2 writes it up to 500 ms later by default,
// and a killed process would lose it; a transactional sink must be durable before it says it has the batch)
final String SINK_DB = "jdbc:h2:file:@DB@;WRITE_DELAY=0";
final java.nio.file.Path MARKERS = java.nio.file.Path.of("@MARKERS@");
final StructType PEOPLE = new StructType().add("id", "string").add("name", "string").add("title", "string");

/** The sink: every title's new total, upserted, and the batch counted, in one transaction. */
void writeBatch(Dataset<Row> batch, long batchId, long pauseMs) throws Exception {
    List<Row> rows = batch.collectAsList();
    try (java.sql.Connection db = java.sql.DriverManager.getConnection(SINK_DB)) {
        db.setAutoCommit(false);
        try (java.sql.PreparedStatement upsert = db.prepareStatement("MERGE INTO title_counts (title, cnt) KEY (title) VALUES (?, ?)")) {
            for (Row r : rows) {
                upsert.setString(1, r.isNullAt(0) ? "<null>" : r.getString(0));
                upsert.setLong(2, r.getLong(1));
                upsert.addBatch();
            }
            upsert.executeBatch();
        }
        try (java.sql.PreparedStatement again = db.prepareStatement("UPDATE batches SET attempts = attempts + 1 WHERE batch_id = ?")) {
            again.setLong(1, batchId);
            if (again.executeUpdate() == 0) {
                try (java.sql.PreparedStatement first = db.prepareStatement("INSERT INTO batches (batch_id, titles, attempts) VALUES (?, ?, 1)")) {
                    first.setLong(1, batchId);
                    first.setInt(2, rows.size());
                    first.executeUpdate();
                }
            }
        }
        db.commit();
    }
    java.nio.file.Files.writeString(MARKERS.resolve("written-" + batchId), String.valueOf(rows.size()));
    if (pauseMs > 0) Thread.sleep(pauseMs);
}

StreamingQuery startCounting(Trigger trigger, long pauseMs) throws Exception {
    java.nio.file.Files.createDirectories(MARKERS);
    try (java.sql.Connection db = java.sql.DriverManager.getConnection(SINK_DB)) {
        db.createStatement().execute("CREATE TABLE IF NOT EXISTS title_counts (title VARCHAR PRIMARY KEY, cnt BIGINT NOT NULL)");
        db.createStatement().execute("CREATE TABLE IF NOT EXISTS batches (batch_id BIGINT PRIMARY KEY, titles INT, attempts INT NOT NULL)");
    }
    return spark.readStream()
        .format("kafka")
        .option("kafka.bootstrap.servers", kafkaBootstrapServers())
        .option("subscribe", "people")
        .option("startingOffsets", "earliest")
        .option("maxOffsetsPerTrigger", @PER_BATCH@)
        .load()
        .select(from_json(col("value").cast("string"), PEOPLE).alias("value"))
        .groupBy("value.title").count()
        .writeStream()
        .outputMode("update")
        .foreachBatch((VoidFunction2<Dataset<Row>, Long>) (batch, id) -> writeBatch(batch, id, pauseMs))
        .option("checkpointLocation", "@CHECKPOINT@")
        .trigger(trigger)
        .queryName("exact_counts")
        .start();
}

String sinkContents() throws Exception {
    StringBuilder out = new StringBuilder();
    try (java.sql.Connection db = java.sql.DriverManager.getConnection(SINK_DB)) {
        var rs = db.createStatement().executeQuery("SELECT title, cnt FROM title_counts ORDER BY title");
        while (rs.next()) out.append("COUNT\t").append(rs.getString(1)).append('\t').append(rs.getLong(2)).append('\n');
        rs = db.createStatement().executeQuery("SELECT batch_id, attempts FROM batches ORDER BY batch_id");
        while (rs.next()) out.append("BATCH\t").append(rs.getLong(1)).append('\t').append(rs.getInt(2)).append('\n');
    }
    return out.toString();
}
"""


class Lab:
    """One lab home and Kafka port for the module; the kernels started on it."""

    def __init__(self, root: Path, kernel_name: str, log_dir: Path):
        self.root = root
        self.home = root / "home"
        self.kernel_name = kernel_name
        self.log_dir = log_dir
        self.env = {"SPARK_LAB_HOME": str(self.home), "SPARK_LAB_KAFKA_PORT": str(find_free_port_pair(37092)),
                    "KAFKA_BOOTSTRAP_SERVERS": None}
        self.kernels = []
        self.current = None

    def start_kernel(self, label: str):
        kernel = start_kernel_with_env(self.kernel_name, self.log_dir / f"exactly-once-{label}.log", self.env)
        self.kernels.append(kernel)
        self.current = kernel
        return kernel

    def kernel(self):
        """The running kernel, with Kafka started (a new kernel if the one before died)."""
        if self.current is None or not self.current.km.is_alive():
            self.start_kernel(f"kernel-{len(self.kernels)}")
        self.current.ok("%kafka start", timeout=KAFKA_START_TIMEOUT)
        return self.current

    def close(self) -> None:
        """Stops the kernels; their broker must follow them out (killed, and the test fails, if it does not)."""
        for kernel in self.kernels:
            kernel.stop()
        deadline = time.monotonic() + 30
        while broker_pids(self.home) and time.monotonic() < deadline:
            time.sleep(0.2)
        left = broker_pids(self.home)
        for pid in left:
            os.kill(pid, signal.SIGKILL)
        assert not left, f"broker JVMs left running after their kernels stopped: {left}"


@pytest.fixture(scope="module")
def lab(kernel_name, tmp_path_factory, log_dir):
    lab = Lab(tmp_path_factory.mktemp("exactly-once"), kernel_name, log_dir)
    yield lab
    lab.close()


def ran_batches(printed: str) -> list[tuple[int, int]]:
    """(batch id, input rows) of the RAN lines a cell printed."""
    return [tuple(map(int, line.split("\t")[1:])) for line in printed.splitlines() if line.startswith("RAN\t")]


PRINT_PROGRESS = 'for (var p : {q}.recentProgress()) System.out.println("RAN\\t" + p.batchId() + "\\t" + p.numInputRows());'


def batch_ids(directory: Path) -> list[int]:
    return sorted(int(p.name) for p in directory.glob("*") if p.name.isdigit()) if directory.is_dir() else []


def topic_records(kernel, topic: str) -> int:
    """The records in a topic, as %kafka describe shows them."""
    res = kernel.ok(f"%kafka describe {topic}")
    bundle = res.result or res.displays[-1]
    return sum(int(r["records"]) for r in only_table(bundle["text/html"]).records())


def expected_titles(kernel, topic: str) -> dict[str, int]:
    """Every record of the topic read by Kafka's own consumer; counts per title as from_json sees them."""
    kernel.ok(DUMP_TOPIC.strip())
    counts: dict[str, int] = {}
    for record in dumped_text(kernel.ok(f'dumpTopic("{topic}");', timeout=120).stdout):
        title = title_of(record["value"])
        key = "<null>" if title is None else title
        counts[key] = counts.get(key, 0) + 1
    return counts


def test_counts_are_exact_after_the_kernel_is_killed_mid_batch(lab):
    checkpoint = lab.root / "chk-exact"
    markers = lab.root / "sink-written"
    code = (COUNTING.replace("@DB@", str(lab.root / "sink" / "counts")).replace("@MARKERS@", str(markers))
            .replace("@CHECKPOINT@", str(checkpoint)).replace("@PER_BATCH@", str(PER_BATCH)))

    first = lab.start_kernel("first")
    first.ok("%kafka start", timeout=KAFKA_START_TIMEOUT)
    first.ok("%kafka create people --partitions 3")
    first.ok(f"%kafka produce people --fake people --count {RECORDS} --seed 11 --wait", timeout=120)
    expected = expected_titles(first, "people")
    assert sum(expected.values()) == RECORDS

    first.ok(code)
    first.ok(f"StreamingQuery counting = startCounting(Trigger.ProcessingTime(0), {SINK_PAUSE_MS});")
    # the sink has written batch KILL_IN_BATCH and is in its pause: Spark has not committed the batch yet
    written = markers / f"written-{KILL_IN_BATCH}"
    deadline = time.monotonic() + 240
    while not written.exists():
        assert time.monotonic() < deadline, f"batch {KILL_IN_BATCH} was not written within 240 s:\n{first.log_tail()}"
        assert first.km.is_alive(), f"the kernel died:\n{first.log_tail()}"
        time.sleep(0.02)
    old_brokers = broker_pids(lab.home)
    assert len(old_brokers) == 1, old_brokers
    os.kill(first.pid, signal.SIGKILL)  # no shutdown hook runs: what the kernel held is left as it was
    assert wait_pid_gone(first.pid, 30)
    offsets, commits = batch_ids(checkpoint / "offsets"), batch_ids(checkpoint / "commits")
    assert offsets[-1] == KILL_IN_BATCH and commits[-1] == KILL_IN_BATCH - 1, \
        f"expected to die inside batch {KILL_IN_BATCH}: offsets {offsets}, commits {commits}"
    first.stop()
    # the broker follows its killed kernel out (its stdin, a pipe from the kernel, closes); the pid file the
    # kernel had no chance to remove stays, naming a dead process
    assert wait_pid_gone(old_brokers[0], 30), "the broker outlived its SIGKILLed kernel"
    pid_file = lab.home / "kafka" / "broker.pid"
    assert f"pid={old_brokers[0]}" in pid_file.read_text()

    # the next kernel: the stale pid file is not believed, the port and Kafka's lock on its data are free
    second = lab.start_kernel("second")
    said = second.ok("%kafka start", timeout=KAFKA_START_TIMEOUT).plain
    assert f"started at 127.0.0.1:{lab.env['SPARK_LAB_KAFKA_PORT']}" in said and "already running" not in said, said
    new_brokers = broker_pids(lab.home)
    assert len(new_brokers) == 1 and new_brokers != old_brokers, new_brokers
    assert f"pid={new_brokers[0]}" in pid_file.read_text()
    assert topic_records(second, "people") == RECORDS, "the topic's records did not survive the crash"
    second.ok(code)  # the same cells as before the crash: the H2 file opens (no lock of the dead kernel left)
    run = second.ok("StreamingQuery counting = startCounting(Trigger.AvailableNow(), 0);\n"
                    "counting.awaitTermination(300_000);\n" + PRINT_PROGRESS.format(q="counting") + "\n"
                    "counting.exception().isEmpty()", timeout=330)
    assert run.plain.strip() == "true", run.describe()
    ran = ran_batches(run.stdout)
    assert ran and ran[0][0] == KILL_IN_BATCH, f"the second kernel should begin by running batch {KILL_IN_BATCH} again: {ran}"
    # the batches before the killed one read up to the offsets logged for the last of them; the rest, all the others
    logged = (checkpoint / "offsets" / str(KILL_IN_BATCH - 1)).read_text().splitlines()
    read_by_first = sum(json.loads(logged[2])["people"].values())
    assert read_by_first + sum(rows for _, rows in ran) == RECORDS, (read_by_first, ran)

    sink = second.ok("System.out.print(sinkContents());").stdout
    counts = {m.group(1): int(m.group(2)) for m in re.finditer(r"^COUNT\t(.*)\t(\d+)$", sink, re.M)}
    attempts = {int(m.group(1)): int(m.group(2)) for m in re.finditer(r"^BATCH\t(\d+)\t(\d+)$", sink, re.M)}

    lost = {t: n - counts.get(t, 0) for t, n in expected.items() if counts.get(t, 0) < n}
    twice = {t: counts[t] - expected.get(t, 0) for t in counts if counts[t] > expected.get(t, 0)}
    assert not lost, f"records lost (title: missing count): {lost}"
    assert not twice, f"records counted twice (title: extra count): {twice}"
    assert counts == expected and sum(counts.values()) == RECORDS

    # every batch reached the sink; the one the kernel died in twice (the replay), the others once
    assert sorted(attempts) == list(range(max(attempts) + 1)), attempts
    assert attempts[KILL_IN_BATCH] == 2, attempts
    assert all(n == 1 for b, n in attempts.items() if b != KILL_IN_BATCH), attempts
    assert batch_ids(checkpoint / "commits")[-1] == max(attempts)
