package streaminglab.spark;

import org.apache.spark.SparkConf;
import org.apache.spark.SparkContext;
import org.apache.spark.sql.SparkSession;
import streaminglab.config.LabSettings;
import streaminglab.language.Messages;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.concurrent.ExecutionException;

/**
 * Starts the notebook's SparkSession in the background when the kernel starts, so the kernel
 * answers at once and the first cell that uses `spark` waits only for what is left.
 */
public final class SparkStarter {
    /** Spark refuses to start with less heap than 1.5 × 300 MB of reserved memory. */
    public static final long SPARK_MIN_HEAP_BYTES = 450L * 1024 * 1024;

    private final LabSettings settings;
    private final ClassLoader cellLoader;
    private final CompletableFuture<SparkSession> session = new CompletableFuture<>();
    private final List<Consumer<SparkSession>> onReady = new CopyOnWriteArrayList<>();

    private final Path executorClasses;
    private final SparkUiLink uiLink;

    /** executorClasses: the folder of cell classes the driver serves to executors; null in local mode. */
    public SparkStarter(LabSettings settings, ClassLoader cellLoader, Path executorClasses) {
        this.settings = settings;
        this.cellLoader = cellLoader;
        this.executorClasses = executorClasses;
        this.uiLink = new SparkUiLink(settings);
    }

    public void startInBackground() {
        Thread starter = new Thread(() -> {
            try {
                SparkSession created = create();
                for (Consumer<SparkSession> hook : onReady) hook.accept(created);
                session.complete(created);
            } catch (Throwable t) {
                session.completeExceptionally(t);
            }
        }, "spark-starter");
        // Spark's executors load task classes through this thread's context loader: cell classes must be visible
        starter.setContextClassLoader(cellLoader);
        starter.setDaemon(true);
        starter.start();
    }

    /** Runs hook once the session exists, before any cell can use it. Register before startInBackground. */
    public void onReady(Consumer<SparkSession> hook) {
        onReady.add(hook);
    }

    private SparkSession create() {
        long heap = Runtime.getRuntime().maxMemory();
        if (heap < SPARK_MIN_HEAP_BYTES) {
            throw new IllegalStateException(Messages.text("spark.heap_too_small", heap >> 20, SPARK_MIN_HEAP_BYTES >> 20));
        }
        DriverHostName.tellSpark(settings); // before any Spark setting loads: see there
        // The context first, from a conf that also sets where the UI listens (see UiAddressConf); the
        // session built next finds it and takes only the SQL settings (the "Using an existing
        // SparkContext" warning in spark.log is this, and expected).
        SparkConf conf = new UiAddressConf(settings.sparkUiAddress())
                .setAppName(settings.appName())
                .setMaster(settings.sparkMaster())
                .set("spark.streaming.stopGracefullyOnShutdown", "true")
                .set("spark.ui.showConsoleProgress", "false") // the lab draws its own progress bar
                .set("spark.ui.port", String.valueOf(settings.uiPort()))
                .set("spark.driver.bindAddress", settings.bindAddress());
        if (settings.driverHost() != null) conf.set("spark.driver.host", settings.driverHost());
        if (settings.isLocalMaster()) {
            // (on a cluster, executors keep their own scratch space: the workers' SPARK_LOCAL_DIRS)
            try {
                conf.set("spark.local.dir", ScratchDirs.forThisKernel(settings.sparkScratchDir()).toString());
            } catch (java.io.IOException e) {
                // Spark's default, /tmp, still works
            }
        }
        if (executorClasses != null) {
            // Spark serves this folder to executors (their class loader asks the driver for cell classes)
            conf.set("spark.repl.class.outputDir", executorClasses.toString());
            // executors on a cluster have Spark but not the Kafka connector the lab has built in
            String connector = KafkaConnectorJars.list();
            if (!connector.isEmpty()) conf.set("spark.jars", connector);
        }
        SparkContext.getOrCreate(conf);
        return SparkSession.builder()
                .config("spark.sql.shuffle.partitions", settings.shufflePartitions())
                .config("spark.sql.streaming.forceDeleteTempCheckpointLocation", "true")
                // a second query on a running query's checkpoint is refused (with a message naming it),
                // instead of Spark's default of silently stopping the running one
                .config("spark.sql.streaming.stopActiveRunOnRestart", "false")
                .getOrCreate();
    }

    /** The Spark UI's address for the notebook's reader (through Jupyter's proxy when configured); null when the UI is off. */
    public String uiLink() {
        var ui = session().sparkContext().uiWebUrl();
        return uiLink.forReader(ui.isDefined() ? ui.get() : null);
    }

    /** True once the session is up (or failed to come up). */
    public boolean isDone() {
        return session.isDone();
    }

    /** The session, waiting for it if it is still starting. */
    public SparkSession session() {
        try {
            return session.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for Spark to start", e);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            String hostName = DriverHostName.explain(cause);
            if (hostName != null) throw new IllegalStateException(hostName, cause);
            if (cause instanceof RuntimeException) throw (RuntimeException) cause;
            throw new IllegalStateException(Messages.text("spark.failed_to_start", cause), cause);
        }
    }

    /** True when Spark tried to start and could not (a cell that uses it says why). */
    public boolean failed() {
        return session.isCompletedExceptionally();
    }

    /** The session if it is up, else null; never waits. */
    public SparkSession sessionIfReady() {
        return session.isDone() && !session.isCompletedExceptionally() ? session.join() : null;
    }

    /** Stops Spark gracefully: running queries first, then the context. */
    public void stop() {
        SparkSession spark = sessionIfReady();
        if (spark == null) return;
        for (var query : spark.streams().active()) {
            try {
                query.stop();
            } catch (Exception ignored) {
                // stopping the context below ends it anyway
            }
        }
        spark.stop();
    }
}
