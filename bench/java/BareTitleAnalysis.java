import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.streaming.StreamingQuery;
import org.apache.spark.sql.streaming.Trigger;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

import java.io.BufferedReader;
import java.io.InputStreamReader;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.from_json;
import static org.apache.spark.sql.functions.sum;

/**
 * The bare-Spark reference for the title analysis of the Kafka lesson: people records (JSON)
 * in a Kafka topic, parsed with from_json and counted per title, complete mode into a memory
 * table, with Trigger.AvailableNow() so the query reads everything there is and stops.
 *
 * Arguments: BOOTSTRAP_SERVERS TOPIC. The session starts once and runs spark.range(10).count(),
 * as the kernel does before the measured cells; then each stdin line
 * "RUN QUERY_NAME CHECKPOINT_DIR" runs the query once and prints
 * "DONE <ms from start() to termination> <sum of the counts>"; "STOP" (or end of input) ends it.
 */
public final class BareTitleAnalysis {
    public static void main(String[] args) throws Exception {
        String bootstrap = args[0];
        String topic = args[1];
        SparkSession spark = SparkSession.builder()
                .appName("bench-bare-title-analysis")
                .master(System.getProperty("bench.master", "local[*]"))
                .config("spark.sql.shuffle.partitions", 3)
                .config("spark.ui.showConsoleProgress", "false")
                .config("spark.driver.bindAddress", "127.0.0.1")
                .config("spark.driver.host", "127.0.0.1")
                .getOrCreate();
        StructType schema = new StructType()
                .add("id", DataTypes.StringType)
                .add("name", DataTypes.StringType)
                .add("title", DataTypes.StringType);
        spark.range(10).count(); // as the kernel's session has run its first count before the query
        System.out.println("READY");
        System.out.flush();

        BufferedReader in = new BufferedReader(new InputStreamReader(System.in));
        String line;
        while ((line = in.readLine()) != null) {
            String[] cmd = line.trim().split("\\s+");
            if (cmd.length == 0 || cmd[0].equals("STOP")) break;
            if (!cmd[0].equals("RUN") || cmd.length < 3) continue;
            long t0 = System.nanoTime();
            Dataset<Row> people = spark.readStream().format("kafka")
                    .option("kafka.bootstrap.servers", bootstrap)
                    .option("subscribe", topic)
                    .option("startingOffsets", "earliest")
                    .load()
                    .select(from_json(col("value").cast("string"), schema).alias("value"));
            StreamingQuery query = people.groupBy(col("value.title").alias("title")).count()
                    .writeStream()
                    .format("memory")
                    .outputMode("complete")
                    .trigger(Trigger.AvailableNow())
                    .option("checkpointLocation", cmd[2])
                    .queryName(cmd[1])
                    .start();
            query.awaitTermination();
            long t1 = System.nanoTime();
            long total = spark.table(cmd[1]).agg(sum("count")).first().getLong(0);
            System.out.printf("DONE %.1f %d%n", (t1 - t0) / 1e6, total);
            System.out.flush();
        }
        spark.stop();
        System.out.println("STOPPED");
    }
}
