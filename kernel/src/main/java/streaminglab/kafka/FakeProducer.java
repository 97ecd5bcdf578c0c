package streaminglab.kafka;

import streaminglab.language.Messages;
import io.github.spencerpark.jupyter.kernel.display.DisplayData;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import streaminglab.display.Displays;
import streaminglab.display.Html;
import streaminglab.output.CellOutput;
import streaminglab.output.OutputRouter;
import streaminglab.output.UpdatingDisplay;

import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

/**
 * One background run of {@code %kafka produce TOPIC --fake people}: its own thread and producer,
 * a progress display in the cell that started it (updated in place, also after the cell ended),
 * stoppable at any time. Records handed to the producer before a stop are still delivered and counted.
 */
final class FakeProducer {
    enum State { STARTING, RUNNING, DONE, STOPPED, FAILED }

    private static final long PROGRESS_EVERY_MS = 250;

    private final String topic;
    private final long count; // -1: until stopped
    private final double rate; // records per second; 0: as fast as the broker takes them
    private final long seed;
    private final Map<String, Object> producerConfig;
    /** The run's progress under the cell that started it; null when no cell did. */
    private final UpdatingDisplay display;
    private final String note;
    private final AtomicLong sent = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();
    private final AtomicReference<String> firstError = new AtomicReference<>();
    private final CountDownLatch finished = new CountDownLatch(1);
    private volatile State state = State.STARTING;
    private volatile boolean stopRequested;
    private volatile long startNanos;
    private volatile long endNanos;
    private volatile long handed;
    private Thread thread;

    FakeProducer(String topic, long count, double rate, long seed, Map<String, Object> producerConfig, OutputRouter router,
                 CellOutput cell, String note) {
        this.topic = topic;
        this.count = count;
        this.rate = rate;
        this.seed = seed;
        this.producerConfig = producerConfig;
        this.note = note;
        this.display = cell == null ? null
                : router.updatingDisplay(cell, "kafka-produce-" + UUID.randomUUID(), PROGRESS_EVERY_MS, this::progress);
    }

    String topic() {
        return topic;
    }

    State state() {
        return state;
    }

    long sent() {
        return sent.get();
    }

    boolean isRunning() {
        return finished.getCount() > 0;
    }

    /** Shows the progress display in the cell and starts producing in the background. */
    void start() {
        if (display != null) display.show();
        thread = new Thread(this::run, "kafka-fake-producer-" + topic);
        thread.setDaemon(true);
        thread.start();
    }

    /** Asks the run to end; records already handed to the producer are still delivered. */
    void stop() {
        stopRequested = true;
        Thread t = thread;
        if (t != null) LockSupport.unpark(t);
    }

    /** Waits until the run ended (done, stopped or failed). */
    boolean await(long timeout, TimeUnit unit) throws InterruptedException {
        return finished.await(timeout, unit);
    }

    void await() throws InterruptedException {
        finished.await();
    }

    private void run() {
        KafkaProducer<String, String> producer = null;
        try {
            FakePeople people = new FakePeople(seed);
            producer = new KafkaProducer<>(producerConfig, new StringSerializer(), new StringSerializer());
            state = State.RUNNING;
            startNanos = System.nanoTime();
            Callback counted = (metadata, error) -> {
                if (error == null) {
                    sent.incrementAndGet();
                    if (display != null) display.changed();
                } else {
                    failed.incrementAndGet();
                    firstError.compareAndSet(null, error.getMessage());
                }
            };
            for (long i = 0; (count < 0 || i < count) && !stopRequested && failed.get() == 0; i++) {
                if (rate > 0) pace(i);
                if (stopRequested) break;
                FakePeople.Person person = people.next();
                producer.send(new ProducerRecord<>(topic, person.id(), person.json()), counted);
                handed = i + 1;
            }
            producer.flush(); // delivered or failed, each record is counted before the run says it ended
            if (failed.get() > 0) state = State.FAILED;
            else state = stopRequested && (count < 0 || handed < count) ? State.STOPPED : State.DONE;
        } catch (Throwable t) {
            firstError.compareAndSet(null, t.getMessage() == null ? t.toString() : t.getMessage());
            state = State.FAILED;
        } finally {
            // after a failure Kafka is likely gone: do not wait the whole delivery timeout again
            if (producer != null) producer.close(state == State.FAILED ? Duration.ofSeconds(2) : Duration.ofSeconds(60));
            endNanos = System.nanoTime();
            if (display != null) display.updateNow();
            finished.countDown();
        }
    }

    /** Sleeps until record i is due at the asked rate (a stop wakes it early). */
    private void pace(long i) {
        long due = startNanos + (long) (i * 1e9 / rate);
        long wait;
        while (!stopRequested && (wait = due - System.nanoTime()) > 0) LockSupport.parkNanos(wait);
    }

    double seconds() {
        long start = startNanos;
        if (start == 0) return 0;
        long end = endNanos != 0 ? endNanos : System.nanoTime();
        return (end - start) / 1e9;
    }

    double recordsPerSecond() {
        double s = seconds();
        return s > 0 ? sent.get() / s : 0;
    }

    /** One line for %kafka status and --stop. */
    String summary() {
        String of = count < 0 ? "" : Messages.text("producer.of", KafkaTables.count(count));
        return switch (state) {
            case STARTING -> Messages.text("producer.starting", topic);
            case RUNNING -> Messages.text("producer.running", topic, KafkaTables.count(sent.get()), of);
            case DONE -> Messages.text("producer.done", topic, KafkaTables.count(sent.get()), String.format("%.1f", seconds()),
                    String.format("%,.0f", recordsPerSecond()));
            case STOPPED -> Messages.text("producer.stopped", topic, KafkaTables.count(sent.get()), of);
            case FAILED -> Messages.text("producer.failed", topic, KafkaTables.count(sent.get()), firstError.get());
        };
    }

    DisplayData progress() {
        long done = sent.get();
        String seedText = Messages.text("producer.seed", seed);
        String speed = state == State.STARTING ? "" : Messages.text("producer.speed", String.format("%,.0f", recordsPerSecond()));
        String rateText = rate > 0 ? Messages.text("producer.at_most", String.format("%,.0f", rate)) : "";
        String status = switch (state) {
            case STARTING -> Messages.text("producer.state.starting");
            case RUNNING -> Messages.text(count < 0 ? "producer.state.running_endless" : "producer.state.running");
            case DONE -> Messages.text("producer.state.done", String.format("%.1f", seconds()));
            case STOPPED -> Messages.text("producer.state.stopped");
            case FAILED -> Messages.text("producer.state.failed", firstError.get());
        };
        String amount = count < 0 ? Messages.text("producer.records", KafkaTables.count(done))
                : Messages.text("producer.records_of", KafkaTables.count(done), KafkaTables.count(count));
        String percent = count > 0 ? String.format(" %3d%%", done * 100 / count) : "";
        String bar = count > 0 ? " " + textBar(done, count) : "";
        String prefix = note == null ? "" : note + "\n";
        String text = prefix + topic + bar + percent + " " + amount + speed + rateText + " · " + seedText + " · " + status;

        Html.Line line = Html.line().bold(topic).text(" ");
        boolean active = state == State.STARTING || state == State.RUNNING;
        if (count > 0 || active) line.progress(done, count, "14");
        line.text(percent.trim() + (percent.isEmpty() ? "" : " · ") + amount + speed + rateText + " · " + seedText + " · " + status);
        String html = (note == null ? "" : Html.status(Html.line().text(note), Html.Tone.NEUTRAL))
                + Html.status(line, state == State.FAILED ? Html.Tone.BAD : Html.Tone.NEUTRAL);
        return Displays.of(text, html);
    }

    private static String textBar(long done, long total) {
        int width = 20;
        int full = (int) Math.min(width, done * width / Math.max(1, total));
        return "[" + "#".repeat(full) + ".".repeat(width - full) + "]";
    }
}
