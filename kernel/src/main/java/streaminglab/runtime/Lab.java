package streaminglab.runtime;

import io.github.spencerpark.jupyter.kernel.display.DisplayData;
import org.apache.spark.sql.SparkSession;

/**
 * What notebook code may call (statically imported into every notebook): {@code display(x)},
 * {@code clearOutput()}.
 * The kernel attaches its services at start; cells never see the kernel itself.
 */
public final class Lab {
    /** What the kernel lends to cells. */
    public interface Services {
        SparkSession spark();

        /** Shows a value as display data in the cell that is writing now. */
        void display(Object value);

        /** The Kafka the lab uses: KAFKA_BOOTSTRAP_SERVERS, else the embedded broker's address. */
        String kafkaBootstrapServers();

        /** A file or folder of the course the notebook belongs to, as an absolute path. */
        String courseFile(String relative);

        /** Clears the output of the cell that is writing now; wait: when its next output arrives. */
        void clearOutput(boolean wait);
    }

    private static volatile Services services;

    private Lab() {
    }

    public static void attach(Services kernelServices) {
        services = kernelServices;
    }

    private static Services services() {
        Services s = services;
        if (s == null) throw new IllegalStateException("the lab's kernel is not running in this JVM");
        return s;
    }

    /** The notebook's SparkSession, waiting for it if it is still starting. */
    public static SparkSession spark() {
        return services().spark();
    }

    /** Shows a value in the cell now: a Dataset as its table, anything else as text. */
    public static void display(Object value) {
        services().display(value);
    }

    /**
     * The bootstrap address of the lab's Kafka, for {@code .option("kafka.bootstrap.servers", ...)}:
     * the cluster named by KAFKA_BOOTSTRAP_SERVERS, else the embedded broker ({@code %kafka start}).
     */
    public static String kafkaBootstrapServers() {
        return services().kafkaBootstrapServers();
    }

    /**
     * A file or folder the course ships, by its path in the course folder (the one with course.json):
     * {@code courseFile("data/clicks")}, {@code courseFile("app/pom.xml")}. The same lesson finds the same
     * files from notebooks/ and from an edition's folder (notebooks/ko/), whatever folder the kernel
     * started in.
     */
    public static String courseFile(String relative) {
        return services().courseFile(relative);
    }

    /** Clears the cell's output now, as IPython's {@code clear_output()}. */
    public static void clearOutput() {
        clearOutput(false);
    }

    /**
     * Clears the cell's output; with {@code wait} true only when the next output arrives, so a cell that
     * redraws in a loop ({@code clearOutput(true); System.out.println(progress);}) does not flicker.
     */
    public static void clearOutput(boolean wait) {
        services().clearOutput(wait);
    }

    /** Shows HTML in the cell now. */
    public static void displayHtml(String html) {
        DisplayData data = new DisplayData("[HTML]");
        data.putHTML(html);
        services().display(data);
    }
}
