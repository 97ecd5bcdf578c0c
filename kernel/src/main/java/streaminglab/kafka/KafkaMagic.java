package streaminglab.kafka;

import streaminglab.config.LabSettings;
import streaminglab.language.Messages;
import streaminglab.magics.Magic;
import streaminglab.magics.MagicArgs;
import streaminglab.magics.MagicCall;
import streaminglab.magics.UsageError;
import streaminglab.output.CellOutput;
import streaminglab.output.OutputRouter;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Pattern;

/**
 * {@code %kafka SUBCOMMAND} and {@code %%kafka produce TOPIC}: the broker (start, stop, status),
 * topics (topics, create, delete, describe), records (consume, produce) and fake data. Each
 * subcommand's options are parsed here, once; the work is done by the unit it names.
 */
final class KafkaMagic implements Magic {
    /** Records %kafka consume shows without --max, and the most it shows. */
    private static final int CONSUME_DEFAULT = 20;
    private static final int CONSUME_MAX = 10_000;
    // the kernel chooses its language before it makes its magics
    private static final String STOP = Messages.text("kafka.usage.stop");
    private static final String STATUS = Messages.text("kafka.usage.status");
    private static final String TOPICS = Messages.text("kafka.usage.topics");
    private static final String CREATE = Messages.text("kafka.usage.create");
    private static final String DELETE = Messages.text("kafka.usage.delete");
    private static final String DESCRIBE = Messages.text("kafka.usage.describe");
    private static final String CONSUME = Messages.text("kafka.usage.consume", CONSUME_DEFAULT, CONSUME_MAX);
    private static final String PRODUCE_CELL = Messages.text("kafka.usage.produce_cell");
    private static final String PRODUCE_FAKE = Messages.text("kafka.usage.produce_fake");
    /** %kafka start's usage and the whole usage, with the broker's address as the settings have it. */
    private final String startUsage;
    private final String usage;
    private static final Pattern TOPIC_NAME = Pattern.compile("[A-Za-z0-9._-]{1,249}");
    private static final long MAX_COUNT = 100_000_000L;
    private static final long DEFAULT_COUNT = 1000;

    private final KafkaCluster cluster;
    private final Topics topics;
    private final TopicReader reader;
    private final TopicWriter writer;
    private final FakeProducers producers;
    private final OutputRouter router;

    KafkaMagic(KafkaCluster cluster, FakeProducers producers, OutputRouter router, LabSettings settings) {
        this.startUsage = Messages.text("kafka.usage.start", settings.kafkaHost(), settings.kafkaPort());
        this.usage = String.join("\n", Messages.text("kafka.usage.intro"), startUsage, STOP, STATUS, TOPICS, CREATE, DELETE,
                DESCRIBE, CONSUME, PRODUCE_CELL, PRODUCE_FAKE, Messages.text("kafka.usage.example"));
        this.cluster = cluster;
        this.topics = new Topics(cluster);
        this.reader = new TopicReader(cluster, topics);
        this.writer = new TopicWriter(cluster, topics);
        this.producers = producers;
        this.router = router;
    }

    @Override
    public String name() {
        return "kafka";
    }

    @Override
    public String summary() {
        return Messages.text("kafka.summary");
    }

    @Override
    public String usage() {
        return usage;
    }

    @Override
    public boolean isCell() {
        return true;
    }

    @Override
    public Object run(MagicCall call) throws Exception {
        List<String> words = call.args().words();
        String prefix = call.isCell() ? "%%kafka" : "%kafka";
        if (words.isEmpty()) {
            throw new UsageError(Messages.text("kafka.needs_subcommand", prefix), usage);
        }
        String sub = words.get(0);
        if (!sub.equals("produce")) FakePeople.warmUpInBackground(); // Kafka is being set up: fake people come next
        String raw = call.args().raw().strip();
        MagicArgs args = MagicArgs.parse(raw.startsWith(sub) ? raw.substring(sub.length())
                : String.join(" ", words.subList(1, words.size())));
        if (call.isCell()) {
            if (!sub.equals("produce")) {
                throw new UsageError(Messages.text("kafka.not_cell", sub), PRODUCE_CELL);
            }
            return produceLines(args, call.body());
        }
        return switch (sub) {
            case "start" -> start(args);
            case "stop" -> stop(args);
            case "status" -> status(args);
            case "topics" -> {
                noArguments(args, "topics", TOPICS);
                yield topics.list();
            }
            case "create" -> {
                args.accept(Set.of("partitions"), Set.of(), CREATE);
                String topic = topic(args, "create", CREATE);
                yield topics.create(topic, args.intOption("partitions", 1, 1, 1000, CREATE));
            }
            case "delete" -> {
                args.accept(Set.of(), Set.of("if-exists"), DELETE);
                yield topics.delete(topic(args, "delete", DELETE), args.has("if-exists"));
            }
            case "describe" -> {
                args.accept(Set.of(), Set.of(), DESCRIBE);
                yield topics.describe(topic(args, "describe", DESCRIBE));
            }
            case "consume" -> {
                args.accept(Set.of("max"), Set.of("from-beginning"), CONSUME);
                String topic = topic(args, "consume", CONSUME);
                yield reader.consume(topic, args.has("from-beginning"), args.intOption("max", CONSUME_DEFAULT, 1, CONSUME_MAX, CONSUME));
            }
            case "produce" -> produceFake(args);
            default -> throw new UsageError(Messages.text("kafka.unknown_subcommand", sub), usage);
        };
    }

    private Object start(MagicArgs args) throws Exception {
        args.accept(Set.of("port"), Set.of("fresh"), startUsage);
        if (!args.positional().isEmpty()) throw unexpected(args, "start", startUsage);
        Integer port = args.has("port") ? args.intOption("port", 0, 1024, 65534, startUsage) : null;
        if (cluster.isExternal()) {
            String reach = Messages.text(cluster.reachable() ? "kafka.external.answers" : "kafka.external.silent");
            return Messages.text("kafka.external.no_start", cluster.bootstrap(), reach);
        }
        String said = cluster.embedded().start(port, args.has("fresh"));
        cluster.closeAdmin(); // the broker may have moved
        return said + "\n" + Messages.text("kafka.in_spark", cluster.bootstrap());
    }

    private Object stop(MagicArgs args) throws Exception {
        noArguments(args, "stop", STOP);
        if (cluster.isExternal()) {
            return Messages.text("kafka.external.no_stop", cluster.bootstrap());
        }
        List<String> stopped = producers.stop(null); // they would only fail against a stopped broker
        cluster.closeAdmin();
        // the readers are looked up first: with short client timeouts a query can fail while Kafka stops
        var broker = cluster.embedded().running();
        String readers = broker.isPresent() ? readersNote() : "";
        String said = cluster.embedded().stop();
        if (broker.isPresent() && broker.get().ours()) said += readers; // this kernel's broker stopped: its readers fail
        return stopped.isEmpty() ? said : Messages.text("kafka.producers_stopped_first", String.join("; ", stopped)) + "\n" + said;
    }

    /** The running streaming queries that read Kafka: they fail once their next micro-batch cannot reach it. */
    private static String readersNote() {
        scala.Option<org.apache.spark.sql.SparkSession> session = org.apache.spark.sql.SparkSession.getDefaultSession();
        if (session.isEmpty()) return ""; // Spark is not up yet: no query can run
        List<String> readers = new java.util.ArrayList<>();
        for (org.apache.spark.sql.streaming.StreamingQuery q : session.get().streams().active()) {
            var progress = q.lastProgress();
            if (progress == null) continue;
            for (var source : progress.sources()) {
                if (source.description().startsWith("KafkaV2") || source.description().startsWith("KafkaSource")) {
                    readers.add(q.name() != null ? q.name() : q.id().toString().substring(0, 8));
                    break;
                }
            }
        }
        if (readers.isEmpty()) return "";
        return "\n" + Messages.text("kafka.readers", String.join(", ", readers));
    }

    private Object status(MagicArgs args) throws Exception {
        noArguments(args, "status", STATUS);
        Map<String, String> facts = new LinkedHashMap<>();
        EmbeddedKafka embedded = cluster.embedded();
        boolean reachable = cluster.reachable();
        if (cluster.isExternal()) {
            facts.put(Messages.text("kafka.fact.kafka"), Messages.text("kafka.status.external"));
            facts.put(Messages.text("kafka.fact.state"), Messages.text(reachable ? "kafka.status.answers" : "kafka.status.silent"));
        } else {
            var broker = embedded.running();
            facts.put(Messages.text("kafka.fact.kafka"), Messages.text("kafka.status.embedded",
                    broker.map(b -> b.kafkaVersion().isEmpty() ? "" : " " + b.kafkaVersion()).orElse("")));
            if (broker.isPresent()) {
                var b = broker.get();
                facts.put(Messages.text("kafka.fact.state"), Messages.text("kafka.status.running", b.pid(),
                        b.ours() ? Messages.text("kafka.status.ours") : b.orphaned() ? Messages.text("kafka.status.orphaned")
                                : Messages.text("kafka.status.other_kernel", b.kernelPid())));
            } else {
                String exit = embedded.unexpectedExit();
                facts.put(Messages.text("kafka.fact.state"), Messages.text("kafka.status.not_running",
                        exit != null ? Messages.text("kafka.status.exit", exit) : ""));
            }
        }
        facts.put(Messages.text("kafka.fact.bootstrap"), cluster.bootstrap());
        facts.put(Messages.text("kafka.fact.in_spark"), ".option(\"kafka.bootstrap.servers\", \"" + cluster.bootstrap() + "\")");
        if (reachable) {
            try {
                Map<String, long[]> sizes = topics.sizes();
                StringBuilder list = new StringBuilder();
                sizes.forEach((name, s) -> list.append(list.length() == 0 ? "" : "\n").append(Messages.text("kafka.status.topic",
                        name, s[0], Topics.partitionWord(s[0]), KafkaTables.count(s[1]), Topics.recordWord(s[1]))));
                facts.put(Messages.text("kafka.fact.topics"), sizes.isEmpty() ? Messages.text("kafka.status.no_topics") : list.toString());
            } catch (KafkaError e) {
                // status still says where Kafka is
                facts.put(Messages.text("kafka.fact.topics"), Messages.text("kafka.status.topics_not_listed", e.getMessage()));
            }
        }
        if (!cluster.isExternal()) {
            facts.put(Messages.text("kafka.fact.data_dir"), embedded.dataDir().toString());
            facts.put(Messages.text("kafka.fact.broker_log"), embedded.logFile().toString());
        }
        List<FakeProducer> fakes = producers.all();
        if (!fakes.isEmpty()) {
            StringBuilder list = new StringBuilder();
            for (FakeProducer p : fakes) list.append(list.length() == 0 ? "" : "\n").append(p.summary());
            facts.put(Messages.text("kafka.fact.fake_producers"), list.toString());
        }
        return KafkaTables.facts(facts);
    }

    private Object produceLines(MagicArgs args, String body) throws Exception {
        args.accept(Set.of("key-separator"), Set.of(), PRODUCE_CELL);
        String topic = topic(args, "produce", PRODUCE_CELL);
        String separator = args.option("key-separator", "\t");
        if (separator.isEmpty()) throw new UsageError(Messages.text("kafka.key_separator_empty"), PRODUCE_CELL);
        List<TopicWriter.Line> lines = TopicWriter.lines(body, separator);
        if (lines.isEmpty()) {
            throw new UsageError(Messages.text("kafka.no_records_below", topic), PRODUCE_CELL);
        }
        return writer.send(topic, lines);
    }

    private Object produceFake(MagicArgs args) throws Exception {
        args.accept(Set.of("fake", "count", "rate", "seed"), Set.of("stop", "wait"), PRODUCE_FAKE);
        if (args.has("stop")) {
            if (args.positional().size() > 1) throw unexpected(args, "produce --stop", PRODUCE_FAKE);
            String topic = args.positional().isEmpty() ? null : args.positional().get(0);
            List<String> said = producers.stop(topic);
            if (said.isEmpty()) {
                return topic == null ? Messages.text("kafka.no_producer") : Messages.text("kafka.no_producer_for", topic);
            }
            return Messages.text("kafka.producers_stopped", String.join("; ", said));
        }
        if (!args.has("fake")) {
            throw new UsageError(Messages.text("kafka.needs_fake"), PRODUCE_FAKE);
        }
        String kind = args.option("fake", "");
        if (!kind.equals("people")) {
            throw new UsageError(Messages.text("kafka.fake_kinds", kind), PRODUCE_FAKE);
        }
        String topic = topic(args, "produce", PRODUCE_FAKE);
        double rate = rate(args);
        long count = args.has("count") ? args.longOption("count", 0, 1, MAX_COUNT, PRODUCE_FAKE) : rate > 0 ? -1 : DEFAULT_COUNT;
        long seed = args.has("seed") ? args.longOption("seed", 0, Long.MIN_VALUE, Long.MAX_VALUE, PRODUCE_FAKE)
                : ThreadLocalRandom.current().nextLong(1, 1_000_000);
        if (producers.running(topic) != null) {
            throw new UsageError(Messages.text("kafka.producer_running", topic), PRODUCE_FAKE);
        }
        String created = topics.ensure(topic);
        CellOutput cell = router == null ? null : router.current();
        FakeProducer producer = new FakeProducer(topic, count, rate, seed,
                cluster.bulkProducerConfig("spark-streaming-lab-fake-" + topic), router, cell, created);
        producers.add(producer);
        producer.start();
        if (args.has("wait")) {
            try {
                producer.await();
            } catch (InterruptedException e) {
                producer.stop(); // an interrupted wait ends the run too; what was handed over is still delivered
                throw e;
            }
            if (producer.state() == FakeProducer.State.FAILED) {
                throw new KafkaError("KafkaProduceFailed", producer.summary());
            }
        }
        return cell == null ? producer.progress() : null;
    }

    private String topic(MagicArgs args, String sub, String usage) throws UsageError {
        List<String> positional = args.positional();
        if (positional.isEmpty()) throw new UsageError(Messages.text("kafka.needs_topic", sub), usage);
        if (positional.size() > 1) throw unexpected(args, sub, usage);
        String topic = positional.get(0);
        if (!TOPIC_NAME.matcher(topic).matches() || topic.equals(".") || topic.equals("..")) {
            throw new UsageError(Messages.text("kafka.bad_topic", topic), usage);
        }
        return topic;
    }

    private static UsageError unexpected(MagicArgs args, String sub, String usage) {
        List<String> positional = args.positional();
        String extra = positional.get(positional.size() - 1);
        return new UsageError(Messages.text("kafka.unexpected_argument", extra, sub), usage);
    }

    private static void noArguments(MagicArgs args, String sub, String usage) throws UsageError {
        args.accept(Set.of(), Set.of(), usage);
        if (!args.positional().isEmpty()) throw unexpected(args, sub, usage);
    }

    /** --rate of %kafka produce: records a second, 0 (as fast as Kafka takes them) when not given. */
    static double rate(MagicArgs args) throws UsageError {
        return args.rateOption("rate", 0, 10_000_000, Messages.text("kafka.rate_things"), PRODUCE_FAKE);
    }
}
