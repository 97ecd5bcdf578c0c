package lab;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.from_json;
import static org.apache.spark.sql.functions.lit;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.streaming.StreamingQuery;
import org.apache.spark.sql.types.StructType;

/**
 * The title analysis as a standalone application: the ten most common job titles among the people
 * in the Kafka topic fake_people, kept up to date as records arrive, printed by the console sink.
 *
 * <pre>
 * spark-submit --class lab.TitleAnalysis --master "local[3]" \
 *   --packages org.apache.spark:spark-sql-kafka-0-10_2.12:3.5.7 \
 *   target/title-analysis-1.0.jar [BOOTSTRAP_SERVERS [TOPIC [CHECKPOINT_DIR]]]
 * </pre>
 */
public final class TitleAnalysis {

    /** The part of a fake_people record that the analysis reads (other fields are ignored). */
    static final StructType PERSON = new StructType()
            .add("id", "string")
            .add("name", "string")
            .add("title", "string");

    private TitleAnalysis() {
    }

    /** The streaming query: records of the topic → people → the ten most common titles. */
    public static Dataset<Row> topTitles(SparkSession spark, String bootstrapServers, String topic) {
        Dataset<Row> records = spark.readStream()
                .format("kafka")
                .option("kafka.bootstrap.servers", bootstrapServers)
                .option("subscribe", topic)
                .option("startingOffsets", "earliest")
                .load();

        Dataset<Row> people = records
                .select(from_json(col("value").cast("string"), PERSON).as("person"))
                .select("person.*");

        return people
                .groupBy("title")
                .agg(count(lit(1)).as("count"))
                .orderBy(col("count").desc(), col("title"))   // the title breaks ties, so the top 10 is well defined
                .limit(10);
    }

    public static void main(String[] args) throws Exception {
        String bootstrapServers = args.length > 0 ? args[0] : "localhost:9092";
        String topic = args.length > 1 ? args[1] : "fake_people";
        String checkpointDir = args.length > 2 ? args[2] : "chk-point-dir-json";

        // spark-submit decides the master (--master); the session only names the application and
        // sets what the analysis needs.
        SparkSession spark = SparkSession.builder()
                .appName("Title Analysis")
                .config("spark.sql.shuffle.partitions", 3)
                .getOrCreate();

        StreamingQuery query = topTitles(spark, bootstrapServers, topic)
                .writeStream()
                .format("console")
                .outputMode("complete")
                .option("truncate", false)
                .option("checkpointLocation", checkpointDir)
                .queryName("title_counts")
                .start();

        System.out.println("Listening to Kafka at " + bootstrapServers + ", topic " + topic);
        query.awaitTermination();   // the driver program must stay alive while the query runs
    }
}
