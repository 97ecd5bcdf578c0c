/**
 * Kafka for the lessons: the embedded broker ({@link streaminglab.kafka.EmbeddedKafka}, a JVM of its
 * own running the {@code broker} module), the cluster the notebook talks to
 * ({@link streaminglab.kafka.KafkaCluster}: that broker, or KAFKA_BOOTSTRAP_SERVERS), the
 * {@code %kafka}/{@code %%kafka} magics and the fake_people producer.
 *
 * <p>Owns: the broker process and its pid/ready/log files in the lab's Kafka directory, Kafka
 * admin/producer/consumer clients of the magics. Uses the kernel only through
 * {@link streaminglab.magics.Magic}, {@link streaminglab.output.OutputRouter} and
 * {@link streaminglab.config.LabSettings}; of Spark's session it only reads which running queries
 * read Kafka (for {@code %kafka stop} to name them), and never touches Kafka's server classes (those
 * live in the broker's JVM, never on this class path). The plain words for a query that failed
 * because of Kafka ({@link streaminglab.kafka.QueryFailureAdvice}) reach its live view through the
 * advice the kernel hands to {@code streaming.LiveViews}. The entry point is
 * {@link streaminglab.kafka.KafkaLab}.
 */
package streaminglab.kafka;
