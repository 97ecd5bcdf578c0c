package streaminglab.config;

import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Map;

/**
 * Every setting of the lab in one place: its environment variable, its default and its meaning.
 * Code elsewhere asks this class; nothing else reads the environment.
 */
public final class LabSettings {
    private final Map<String, String> env;

    public LabSettings(Map<String, String> env) {
        this.env = env;
    }

    public static LabSettings fromEnvironment() {
        return new LabSettings(System.getenv());
    }

    /** SPARK_MASTER: where Spark runs. Default local[*] (all cores of this machine). */
    public String sparkMaster() {
        return get("SPARK_MASTER", "local[*]");
    }

    /** SPARK_LAB_APP_NAME: the application name shown in the Spark UI. */
    public String appName() {
        return get("SPARK_LAB_APP_NAME", "Spark Streaming Lab");
    }

    /** SPARK_LAB_SHUFFLE_PARTITIONS: spark.sql.shuffle.partitions; 3 as in the lessons, small data wants few tasks. */
    public int shufflePartitions() {
        return Integer.parseInt(get("SPARK_LAB_SHUFFLE_PARTITIONS", "3"));
    }

    /** SPARK_LAB_UI_PORT: the Spark UI port (Spark picks the next free one if taken). */
    public int uiPort() {
        return Integer.parseInt(get("SPARK_LAB_UI_PORT", "4040"));
    }

    /** SPARK_LAB_BIND_ADDRESS: the address Spark's driver and UI bind to; loopback unless configured. */
    public String bindAddress() {
        return get("SPARK_LAB_BIND_ADDRESS", "127.0.0.1");
    }

    /** SPARK_LAB_HOME: the lab's own working directory (logs, data, checkpoints by default). */
    public Path labHome() {
        String home = env.get("SPARK_LAB_HOME");
        if (home != null && !home.isBlank()) return Paths.get(home);
        return Paths.get(System.getProperty("user.home"), ".spark-streaming-lab");
    }

    /** Where Spark's and the kernel's logs go (never into cells). */
    public Path logDir() {
        return labHome().resolve("logs");
    }

    /** SPARK_LAB_MAX_ROWS: rows a rendered table shows before "N more rows". */
    public int maxRows() {
        return Integer.parseInt(get("SPARK_LAB_MAX_ROWS", "20"));
    }

    /** SPARK_LAB_LOG_LEVEL: Spark's log level in the log file. */
    public String sparkLogLevel() {
        return get("SPARK_LAB_LOG_LEVEL", "WARN");
    }

    private String get(String name, String fallback) {
        String value = env.get(name);
        return value == null || value.isBlank() ? fallback : value.trim();
    }
}
