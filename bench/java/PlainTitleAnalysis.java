import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.streaming.StreamingQuery;
import org.apache.spark.sql.streaming.StreamingQueryProgress;
import org.apache.spark.sql.streaming.Trigger;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.from_json;

/**
 * The plain-Java reference for the title analysis of lesson 6: the lesson's query over a Kafka topic
 * (readStream kafka, startingOffsets earliest, from_json with {id, name, title}, SELECT value.title,
 * COUNT(1) ... ORDER BY 2 DESC LIMIT 10, complete mode, console sink) with Trigger.AvailableNow(),
 * in a SparkSession set up the way the kernel sets up its own (local[*], 3 shuffle partitions, UI on,
 * loopback). No kernel, no live view: what the kernel's numbers are compared with.
 *
 * Usage: PlainTitleAnalysis BOOTSTRAP_SERVERS [TOPIC] [RUNS] [WORK_DIR]
 * Each run starts from a fresh checkpoint, so it reads the whole topic; it prints one line
 *   RUN n=1 records=1000000 ms=5123.4 records_per_s=195183
 * (the first run of the JVM is cold: JIT and Spark's code generation; later runs are warm), the
 * console sink's top 10 on the way, and DONE at the end.
 */
public final class PlainTitleAnalysis {
    public static void main(String[] args) throws Exception {
        if (args.length < 1) {
            System.err.println("usage: PlainTitleAnalysis BOOTSTRAP_SERVERS [TOPIC] [RUNS] [WORK_DIR]");
            System.exit(2);
        }
        String bootstrap = args[0];
        String topic = args.length > 1 ? args[1] : "fake_people";
        int runs = args.length > 2 ? Integer.parseInt(args[2]) : 1;
        Path work = Path.of(args.length > 3 ? args[3] : "plain-title-analysis");

        SparkSession spark = SparkSession.builder()
                .appName("bench-plain-title-analysis")
                .master(System.getProperty("bench.master", "local[*]"))
                .config("spark.sql.shuffle.partitions", 3)
                .config("spark.streaming.stopGracefullyOnShutdown", "true")
                .config("spark.ui.showConsoleProgress", "false")
                .config("spark.driver.bindAddress", "127.0.0.1")
                .config("spark.driver.host", "127.0.0.1")
                .getOrCreate();

        StructType schema = new StructType()
                .add("id", DataTypes.StringType)
                .add("name", DataTypes.StringType)
                .add("title", DataTypes.StringType);

        for (int run = 1; run <= runs; run++) {
            Path checkpoint = work.resolve("chk-" + run);
            deleteTree(checkpoint);
            Dataset<Row> kafkaDf = spark.readStream()
                    .format("kafka")
                    .option("kafka.bootstrap.servers", bootstrap)
                    .option("subscribe", topic)
                    .option("startingOffsets", "earliest")
                    .load();
            kafkaDf.select(from_json(col("value").cast("string"), schema).alias("value"))
                    .createOrReplaceTempView("fake_people");
            Dataset<Row> countDf = spark.sql("SELECT value.title, COUNT(1) count FROM fake_people GROUP BY 1 ORDER BY 2 DESC LIMIT 10");

            long t0 = System.nanoTime();
            StreamingQuery query = countDf.writeStream()
                    .format("console")
                    .outputMode("complete")
                    .option("checkpointLocation", checkpoint.toString())
                    .trigger(Trigger.AvailableNow())
                    .queryName("top_titles_plain")
                    .start();
            query.awaitTermination();
            double ms = (System.nanoTime() - t0) / 1e6;
            long records = 0;
            for (StreamingQueryProgress p : query.recentProgress()) records += p.numInputRows();
            System.out.printf("RUN n=%d records=%d ms=%.1f records_per_s=%.0f%n", run, records, ms, records / (ms / 1000));
            System.out.flush();
            deleteTree(checkpoint);
        }
        spark.stop();
        System.out.println("DONE");
    }

    private static void deleteTree(Path path) throws IOException {
        if (!Files.exists(path)) return;
        try (Stream<Path> files = Files.walk(path)) {
            for (Path f : files.sorted(Comparator.reverseOrder()).toList()) Files.delete(f);
        }
    }
}
