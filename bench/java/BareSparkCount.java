import org.apache.spark.sql.SparkSession;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;

/**
 * The bare-Spark reference for "start -> first result": a plain Java program that starts a
 * SparkSession the way the kernel does (local[*], 3 shuffle partitions, UI on, loopback) and
 * runs spark.range(10).count(). The bench times it from process spawn to the RESULT line.
 * Then it waits (session up, idle) until stdin gives a line or closes, so the bench can read
 * its RSS, and stops Spark.
 */
public final class BareSparkCount {
    public static void main(String[] args) throws Exception {
        long t0 = System.nanoTime();
        SparkSession spark = SparkSession.builder()
                .appName("bench-bare-count")
                .master(System.getProperty("bench.master", "local[*]"))
                .config("spark.sql.shuffle.partitions", 3)
                .config("spark.ui.showConsoleProgress", "false")
                .config("spark.driver.bindAddress", "127.0.0.1")
                .config("spark.driver.host", "127.0.0.1")
                .getOrCreate();
        long t1 = System.nanoTime();
        long n = spark.range(10).count();
        long t2 = System.nanoTime();
        System.out.printf("RESULT count=%d jvm_uptime_ms=%d session_ms=%.1f count_ms=%.1f%n", n,
                ManagementFactory.getRuntimeMXBean().getUptime(), (t1 - t0) / 1e6, (t2 - t1) / 1e6);
        System.out.flush();
        new BufferedReader(new InputStreamReader(System.in)).readLine();
        spark.stop();
        System.out.println("STOPPED");
    }
}
