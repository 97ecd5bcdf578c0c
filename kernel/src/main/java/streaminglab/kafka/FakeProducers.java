package streaminglab.kafka;

import streaminglab.language.Messages;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** The fake producers of this kernel, at most one per topic, so they can be listed and stopped. */
final class FakeProducers {
    private static final long STOP_WAIT_SECONDS = 40; // a stop still delivers what was handed to the producer

    private final Map<String, FakeProducer> byTopic = new LinkedHashMap<>();

    synchronized FakeProducer running(String topic) {
        FakeProducer p = byTopic.get(topic);
        return p != null && p.isRunning() ? p : null;
    }

    synchronized void add(FakeProducer producer) {
        byTopic.put(producer.topic(), producer);
    }

    /** Every producer this kernel started (running or ended), oldest first. */
    synchronized List<FakeProducer> all() {
        return new ArrayList<>(byTopic.values());
    }

    /** Stops the running producers (of one topic, or all when topic is null) and says what each did. */
    List<String> stop(String topic) throws InterruptedException {
        List<FakeProducer> stopping = new ArrayList<>();
        synchronized (this) {
            for (FakeProducer p : byTopic.values()) {
                if (p.isRunning() && (topic == null || p.topic().equals(topic))) stopping.add(p);
            }
        }
        stopping.forEach(FakeProducer::stop);
        List<String> said = new ArrayList<>();
        for (FakeProducer p : stopping) {
            if (!p.await(STOP_WAIT_SECONDS, TimeUnit.SECONDS)) said.add(Messages.text("producer.still_delivering", p.topic()));
            else said.add(p.summary());
        }
        return said;
    }

    /** For the kernel's shutdown: ask all to stop and give them a moment to deliver. */
    void stopAll(long waitSeconds) {
        List<FakeProducer> all = all();
        all.forEach(FakeProducer::stop);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(waitSeconds);
        for (FakeProducer p : all) {
            try {
                p.await(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }
}
