import org.apache.spark.api.java.function.VoidFunction2;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.streaming.StreamingQuery;

import java.io.BufferedReader;
import java.io.InputStreamReader;

import static org.apache.spark.sql.functions.expr;

/**
 * The bare-Spark reference for "socket line -> new count": the socket WordCount of the lesson
 * (socket source, explode(split(value, ' ')), groupBy(word).count(), complete mode, a
 * checkpoint), with foreachBatch instead of the console sink. Every micro-batch it collects the
 * table and prints one line: "BATCH <epoch ms> <batch id> word=count ...", so the bench, which
 * writes the lines into the socket, can tell when each word's count was seen (same machine,
 * same clock).
 *
 * Arguments: HOST PORT CHECKPOINT_DIR. Runs until stdin gives a line or closes.
 */
public final class BareSocketWordCount {
    public static void main(String[] args) throws Exception {
        String host = args[0];
        int port = Integer.parseInt(args[1]);
        String checkpoint = args[2];
        SparkSession spark = SparkSession.builder()
                .appName("bench-bare-socket-wordcount")
                .master(System.getProperty("bench.master", "local[*]"))
                .config("spark.sql.shuffle.partitions", 3)
                .config("spark.ui.showConsoleProgress", "false")
                .config("spark.driver.bindAddress", "127.0.0.1")
                .config("spark.driver.host", "127.0.0.1")
                .getOrCreate();

        Dataset<Row> lines = spark.readStream().format("socket")
                .option("host", host).option("port", port).load();
        Dataset<Row> words = lines.select(expr("explode(split(value, ' ')) as word"));
        Dataset<Row> counts = words.groupBy("word").count();

        StreamingQuery query = counts.writeStream()
                .outputMode("complete")
                .option("checkpointLocation", checkpoint)
                .queryName("bare_wc")
                .foreachBatch((VoidFunction2<Dataset<Row>, Long>) (batch, batchId) -> {
                    Row[] rows = (Row[]) batch.collect();
                    long now = System.currentTimeMillis();
                    StringBuilder sb = new StringBuilder(64 + rows.length * 16);
                    sb.append("BATCH ").append(now).append(' ').append(batchId);
                    for (Row r : rows) sb.append(' ').append(r.getString(0)).append('=').append(r.getLong(1));
                    System.out.println(sb);
                    System.out.flush();
                })
                .start();
        System.out.println("STARTED " + System.currentTimeMillis());
        System.out.flush();

        new BufferedReader(new InputStreamReader(System.in)).readLine();
        query.stop();
        spark.stop();
        System.out.println("STOPPED");
    }
}
