package streaminglab.kafka;

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
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code %kafka SUBCOMMAND} and {@code %%kafka produce TOPIC}: the broker (start, stop, status),
 * topics (topics, create, delete, describe), records (consume, produce) and fake data. Each
 * subcommand's options are parsed here, once; the work is done by the unit it names.
 */
final class KafkaMagic implements Magic {
    private static final String START = "%kafka start [--port P] [--fresh]\n"
            + "  Starts the lab's own Kafka broker (Apache Kafka, KRaft, one node) on 127.0.0.1 and waits until it\n"
            + "  accepts clients. Its topics and records are kept across stops and kernel restarts.\n"
            + "    --port P    the port clients connect to (default 9092; the controller uses P + 1)\n"
            + "    --fresh     delete all topics and records first";
    private static final String STOP = "%kafka stop\n"
            + "  Stops the lab's broker. Topics and records stay on disk for the next %kafka start.";
    private static final String STATUS = "%kafka status\n"
            + "  Where Kafka is (bootstrap servers), whether it is the lab's broker or an external cluster,\n"
            + "  whether it answers, its topics, and the fake producers of this notebook.";
    private static final String TOPICS = "%kafka topics\n  Lists the topics with their partitions and records.";
    private static final String CREATE = "%kafka create TOPIC [--partitions N]\n"
            + "  Creates a topic (1 partition unless --partitions N, at most 1000).";
    private static final String DELETE = "%kafka delete TOPIC [--if-exists]\n"
            + "  Deletes a topic and all its records.\n"
            + "    --if-exists   no error when there is no such topic (a notebook that starts from an empty topic\n"
            + "                  each time it runs: %kafka delete TOPIC --if-exists, then %kafka create TOPIC)";
    private static final String DESCRIBE = "%kafka describe TOPIC\n"
            + "  The partitions of a topic with their leader, start and end offsets and record counts.";
    private static final String CONSUME = "%kafka consume TOPIC [--from-beginning] [--max N]\n"
            + "  Shows records already in a topic as a table (key, value, partition, offset, timestamp);\n"
            + "  it does not wait for new ones and commits nothing.\n"
            + "    --from-beginning   the first records (default: the newest)\n"
            + "    --max N            how many records (default 20, at most 10000)";
    private static final String PRODUCE_CELL = "%%kafka produce TOPIC [--key-separator S]\n"
            + "  Sends each non-blank line below as one record. A line 'key<TAB>value' has a key;\n"
            + "  --key-separator S splits at S instead of a tab (e.g. --key-separator ':').";
    private static final String PRODUCE_FAKE = "%kafka produce TOPIC --fake people [--count N] [--rate R/s] [--seed S] [--wait]\n"
            + "  Fills TOPIC with fake people in the background, JSON like\n"
            + "  {\"id\": \"…\", \"name\": \"…\", \"title\": \"…\", \"email\": \"…\", \"company\": \"…\", \"country\": \"…\", \"created_at\": \"…\"};\n"
            + "  job titles are skewed: a few are common, many are rare. A progress bar shows in the cell.\n"
            + "    --count N     how many records (default 1000; without end when --rate is given)\n"
            + "    --rate R/s    at most R records per second (default: as fast as Kafka takes them)\n"
            + "    --seed S      the same seed gives the same records (default: a random seed, shown)\n"
            + "    --wait        keep the cell busy until all records are sent\n"
            + "%kafka produce --stop [TOPIC]\n"
            + "  Stops the fake producers (of TOPIC, or all).";
    private static final String USAGE = String.join("\n",
            "%kafka SUBCOMMAND ...   (and %%kafka produce TOPIC with records below)",
            "",
            "Kafka for the lessons: the lab's own broker, or the cluster KAFKA_BOOTSTRAP_SERVERS names.",
            "In Spark use .option(\"kafka.bootstrap.servers\", ADDRESS) with the address %kafka status shows.",
            "",
            START, STOP, STATUS, TOPICS, CREATE, DELETE, DESCRIBE, CONSUME, PRODUCE_CELL, PRODUCE_FAKE,
            "",
            "Example:",
            "  %kafka start",
            "  %kafka create words --partitions 2",
            "  %kafka produce fake_people --fake people --count 10000 --seed 42",
            "  %kafka consume fake_people --max 5");
    private static final Pattern TOPIC_NAME = Pattern.compile("[A-Za-z0-9._-]{1,249}");
    private static final Pattern RATE = Pattern.compile("(\\d+(?:\\.\\d+)?)\\s*(?:/\\s*s(?:ec(?:ond)?)?)?");
    private static final long MAX_COUNT = 100_000_000L;
    private static final long DEFAULT_COUNT = 1000;

    private final KafkaCluster cluster;
    private final Topics topics;
    private final TopicReader reader;
    private final TopicWriter writer;
    private final FakeProducers producers;
    private final OutputRouter router;

    KafkaMagic(KafkaCluster cluster, FakeProducers producers, OutputRouter router) {
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
        return "Kafka: start/stop the lab's broker, topics, consume, produce records and fake_people";
    }

    @Override
    public String usage() {
        return USAGE;
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
            throw new UsageError(prefix + " needs a subcommand: start, stop, status, topics, create, delete, describe, "
                    + "consume or produce.", USAGE);
        }
        String sub = words.get(0);
        if (!sub.equals("produce")) FakePeople.warmUpInBackground(); // Kafka is being set up: fake people come next
        String raw = call.args().raw().strip();
        MagicArgs args = MagicArgs.parse(raw.startsWith(sub) ? raw.substring(sub.length())
                : String.join(" ", words.subList(1, words.size())));
        if (call.isCell()) {
            if (!sub.equals("produce")) {
                throw new UsageError("%%kafka " + sub + " is not a cell magic: only %%kafka produce TOPIC takes the lines "
                        + "below it; use %kafka " + sub + " on a line of its own.", PRODUCE_CELL);
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
                yield reader.consume(topic, args.has("from-beginning"), args.intOption("max", 20, 1, 10_000, CONSUME));
            }
            case "produce" -> produceFake(args);
            default -> throw new UsageError("Unknown subcommand '" + sub + "'. %kafka knows start, stop, status, topics, "
                    + "create, delete, describe, consume and produce.", USAGE);
        };
    }

    private Object start(MagicArgs args) throws Exception {
        args.accept(Set.of("port"), Set.of("fresh"), START);
        if (!args.positional().isEmpty()) throw unexpected(args, "start", START);
        Integer port = args.has("port") ? args.intOption("port", 0, 1024, 65534, START) : null;
        if (cluster.isExternal()) {
            String reach = cluster.reachable() ? "it answers" : "it does not answer yet";
            return "The lab uses the Kafka cluster at " + cluster.bootstrap() + " (from KAFKA_BOOTSTRAP_SERVERS; " + reach
                    + "): there is no broker to start. Unset KAFKA_BOOTSTRAP_SERVERS to use the lab's own broker.";
        }
        String said = cluster.embedded().start(port, args.has("fresh"));
        cluster.closeAdmin(); // the broker may have moved
        return said + "\nIn Spark: .option(\"kafka.bootstrap.servers\", \"" + cluster.bootstrap() + "\")";
    }

    private Object stop(MagicArgs args) throws Exception {
        noArguments(args, "stop", STOP);
        if (cluster.isExternal()) {
            return "The lab uses the Kafka cluster at " + cluster.bootstrap()
                    + " (from KAFKA_BOOTSTRAP_SERVERS): the lab did not start it and does not stop it.";
        }
        List<String> stopped = producers.stop(null); // they would only fail against a stopped broker
        cluster.closeAdmin();
        // the readers are looked up first: with short client timeouts a query can fail while Kafka stops
        String readers = cluster.embedded().running().isPresent() ? readersNote() : "";
        String said = cluster.embedded().stop();
        if (said.startsWith("Kafka stopped")) said += readers;
        return stopped.isEmpty() ? said : "Stopped the fake producers first: " + String.join("; ", stopped) + ".\n" + said;
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
        return "\nQueries that were reading from it: " + String.join(", ", readers) + ". They fail when a micro-batch cannot "
                + "reach Kafka (after the Kafka client's retries, up to minutes); after %kafka start, run their cells "
                + "again with the same checkpointLocation and they go on where they stopped.";
    }

    private Object status(MagicArgs args) throws Exception {
        noArguments(args, "status", STATUS);
        Map<String, String> facts = new LinkedHashMap<>();
        EmbeddedKafka embedded = cluster.embedded();
        boolean reachable = cluster.reachable();
        if (cluster.isExternal()) {
            facts.put("Kafka", "external cluster (KAFKA_BOOTSTRAP_SERVERS)");
            facts.put("state", reachable ? "answers" : "does not answer");
        } else {
            var broker = embedded.running();
            facts.put("Kafka", "embedded: the lab's own broker (Apache Kafka"
                    + broker.map(b -> b.kafkaVersion().isEmpty() ? "" : " " + b.kafkaVersion()).orElse("") + ", KRaft, one node)");
            if (broker.isPresent()) {
                var b = broker.get();
                facts.put("state", "running, pid " + b.pid() + (b.ours() ? ", started by this kernel"
                        : ", started by " + (b.orphaned() ? "a kernel that is gone" : "another kernel (pid " + b.kernelPid() + ")")));
            } else {
                String exit = embedded.unexpectedExit();
                facts.put("state", "not running: %kafka start starts it" + (exit != null ? " (it " + exit + ")" : ""));
            }
        }
        facts.put("bootstrap servers", cluster.bootstrap());
        facts.put("in Spark", ".option(\"kafka.bootstrap.servers\", \"" + cluster.bootstrap() + "\")");
        if (reachable) {
            try {
                Map<String, long[]> sizes = topics.sizes();
                StringBuilder list = new StringBuilder();
                sizes.forEach((name, s) -> list.append(list.length() == 0 ? "" : "\n").append(name).append(" (")
                        .append(s[0]).append(s[0] == 1 ? " partition, " : " partitions, ")
                        .append(KafkaTables.count(s[1])).append(s[1] == 1 ? " record)" : " records)"));
                facts.put("topics", sizes.isEmpty() ? "none yet" : list.toString());
            } catch (KafkaError e) {
                facts.put("topics", "(not listed: " + e.getMessage() + ")"); // status still says where Kafka is
            }
        }
        if (!cluster.isExternal()) {
            facts.put("data directory", embedded.dataDir().toString());
            facts.put("broker log", embedded.logFile().toString());
        }
        List<FakeProducer> fakes = producers.all();
        if (!fakes.isEmpty()) {
            StringBuilder list = new StringBuilder();
            for (FakeProducer p : fakes) list.append(list.length() == 0 ? "" : "\n").append(p.summary());
            facts.put("fake producers", list.toString());
        }
        return KafkaTables.facts(facts);
    }

    private Object produceLines(MagicArgs args, String body) throws Exception {
        args.accept(Set.of("key-separator"), Set.of(), PRODUCE_CELL);
        String topic = topic(args, "produce", PRODUCE_CELL);
        String separator = args.option("key-separator", "\t");
        if (separator.isEmpty()) throw new UsageError("--key-separator needs at least one character.", PRODUCE_CELL);
        List<TopicWriter.Line> lines = TopicWriter.lines(body, separator);
        if (lines.isEmpty()) {
            throw new UsageError("There are no records below %%kafka produce " + topic
                    + ": write one record per line (key<TAB>value for a record with a key).", PRODUCE_CELL);
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
                return topic == null ? "No fake producer is running." : "No fake producer is writing to " + topic + ".";
            }
            return "Stopped: " + String.join("; ", said) + ".";
        }
        if (!args.has("fake")) {
            throw new UsageError("%kafka produce needs --fake people to make records; to send your own records, "
                    + "write them below %%kafka produce TOPIC (one per line, in a cell of their own).", PRODUCE_FAKE);
        }
        String kind = args.option("fake", "");
        if (!kind.equals("people")) {
            throw new UsageError("--fake knows 'people' (the lesson's fake_people records), not '" + kind + "'.", PRODUCE_FAKE);
        }
        String topic = topic(args, "produce", PRODUCE_FAKE);
        double rate = rate(args.option("rate", null));
        long count = args.has("count") ? longOption(args, "count", 1, MAX_COUNT) : rate > 0 ? -1 : DEFAULT_COUNT;
        long seed = args.has("seed") ? longOption(args, "seed", Long.MIN_VALUE, Long.MAX_VALUE)
                : ThreadLocalRandom.current().nextLong(1, 1_000_000);
        if (producers.running(topic) != null) {
            throw new UsageError("A fake producer is already writing to " + topic
                    + ": %kafka produce --stop " + topic + " stops it.", PRODUCE_FAKE);
        }
        String created = topics.ensure(topic);
        CellOutput cell = router == null ? null : router.current();
        FakeProducer producer = new FakeProducer(topic, count, rate, seed,
                cluster.bulkProducerConfig("spark-streaming-lab-fake-" + topic), cell, created);
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
        if (positional.isEmpty()) throw new UsageError("%kafka " + sub + " needs a TOPIC name.", usage);
        if (positional.size() > 1) throw unexpected(args, sub, usage);
        String topic = positional.get(0);
        if (!TOPIC_NAME.matcher(topic).matches() || topic.equals(".") || topic.equals("..")) {
            throw new UsageError("'" + topic + "' is not a valid topic name: use letters, digits, '.', '_' and '-' "
                    + "(at most 249).", usage);
        }
        return topic;
    }

    private static UsageError unexpected(MagicArgs args, String sub, String usage) {
        List<String> positional = args.positional();
        String extra = positional.get(positional.size() - 1);
        return new UsageError("Unexpected argument '" + extra + "' after %kafka " + sub + ".", usage);
    }

    private static void noArguments(MagicArgs args, String sub, String usage) throws UsageError {
        args.accept(Set.of(), Set.of(), usage);
        if (!args.positional().isEmpty()) throw unexpected(args, sub, usage);
    }

    /** --rate of %kafka produce: records a second. Package-private for its tests (FakeProducerRateTest). */
    static double rate(String value) throws UsageError {
        if (value == null) return 0;
        Matcher m = RATE.matcher(value.trim());
        if (!m.matches()) {
            throw new UsageError("--rate needs records per second like 100/s, not '" + value + "'.", PRODUCE_FAKE);
        }
        double rate = Double.parseDouble(m.group(1));
        if (rate <= 0 || rate > 10_000_000) {
            throw new UsageError("--rate must be above 0 and at most 10000000/s, not " + value + ".", PRODUCE_FAKE);
        }
        return rate;
    }

    private static long longOption(MagicArgs args, String option, long min, long max) throws UsageError {
        String value = args.option(option, "");
        try {
            long n = Long.parseLong(value.trim().replace("_", "").replace(",", ""));
            if (n < min || n > max) {
                throw new UsageError("--" + option + " must be between " + min + " and " + max + ", not " + n + ".", PRODUCE_FAKE);
            }
            return n;
        } catch (NumberFormatException e) {
            throw new UsageError("--" + option + " needs a whole number, not '" + value + "'.", PRODUCE_FAKE);
        }
    }
}
