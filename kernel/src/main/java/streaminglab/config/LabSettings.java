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

    // ---- what Jupyter tells the kernel and the installer -------------------------------------------

    /** JPY_PARENT_PID: the Jupyter process that started the kernel (jupyter_client sets it), if a number. */
    public java.util.OptionalLong jupyterParentPid() {
        String value = get("JPY_PARENT_PID", "");
        try {
            return value.isEmpty() ? java.util.OptionalLong.empty() : java.util.OptionalLong.of(Long.parseLong(value));
        } catch (NumberFormatException e) {
            return java.util.OptionalLong.empty(); // then the kernel follows the process that started it
        }
    }

    /**
     * Jupyter's user data directory, as jupyter_core computes it: JUPYTER_DATA_DIR, else the platform's place
     * (~/Library/Jupyter on macOS, APPDATA\jupyter on Windows, XDG_DATA_HOME/jupyter or ~/.local/share/jupyter).
     */
    public Path jupyterDataDir() {
        String explicit = get("JUPYTER_DATA_DIR", "");
        if (!explicit.isEmpty()) return Paths.get(explicit);
        String home = System.getProperty("user.home");
        String os = System.getProperty("os.name").toLowerCase(java.util.Locale.ROOT);
        if (os.contains("mac")) return Paths.get(home, "Library", "Jupyter");
        if (os.contains("win")) return Paths.get(get("APPDATA", home), "jupyter");
        String xdg = get("XDG_DATA_HOME", "");
        return (xdg.isEmpty() ? Paths.get(home, ".local", "share") : Paths.get(xdg)).resolve("jupyter");
    }

    /** JUPYTER_PYTHON: the Python that runs Jupyter; else the python3 beside `jupyter` on PATH; else python3. */
    public String jupyterPython() {
        String python = get("JUPYTER_PYTHON", "");
        if (!python.isEmpty()) return python;
        for (String dir : get("PATH", "").split(java.io.File.pathSeparator)) {
            if (dir.isEmpty()) continue;
            Path jupyter = Paths.get(dir, "jupyter");
            Path beside = jupyter.resolveSibling("python3");
            if (java.nio.file.Files.isExecutable(jupyter) && java.nio.file.Files.isExecutable(beside)) return beside.toString();
        }
        return "python3";
    }

    /**
     * The share of the machine's (or container's) memory the kernelspec gives the kernel's heap when the install
     * names no --heap: 40 %, not half, so that on Binder's 2 GB the broker, Jupyter's server and the JVM's own
     * memory beside the heap still fit (docs/deploy.md, "Memory").
     */
    public static final int HEAP_PERCENT_OF_MEMORY = 40;

    /** SPARK_MASTER: where Spark runs. Default local[*] (all cores of this machine). */
    public String sparkMaster() {
        return get("SPARK_MASTER", "local[*]");
    }

    /** True when Spark runs in this JVM (local[...]), so executors share the kernel's classes. */
    public boolean isLocalMaster() {
        return sparkMaster().startsWith("local");
    }

    /** Where cell classes are written for executors on other JVMs (cluster masters only). */
    public Path executorClassDir() {
        return labHome().resolve("executor-classes").resolve(String.valueOf(ProcessHandle.current().pid()));
    }

    /** Where local Spark keeps its scratch files (spark.local.dir), a folder per kernel below it. */
    public Path sparkScratchDir() {
        return labHome().resolve("spark-scratch");
    }

    /** SPARK_LAB_APP_NAME: the application name shown in the Spark UI. */
    public String appName() {
        return get("SPARK_LAB_APP_NAME", "Spark Streaming Lab");
    }

    /** SPARK_LAB_SHUFFLE_PARTITIONS: spark.sql.shuffle.partitions; 3 as in the lessons, small data wants few tasks. */
    public int shufflePartitions() {
        return wholeNumber("SPARK_LAB_SHUFFLE_PARTITIONS", "3");
    }

    /** SPARK_LAB_UI_PORT: the Spark UI port (Spark picks the next free one if taken). */
    public int uiPort() {
        return wholeNumber("SPARK_LAB_UI_PORT", "4040");
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
        return wholeNumber("SPARK_LAB_MAX_ROWS", "20");
    }

    /**
     * SPARK_LAB_CELL_OUTPUT_MB: how much of one cell's printed output (stdout and stderr) the notebook shows;
     * the rest goes to a file under {@link #cellOutputDir()}, named in the cell. Default 2: more text slows a
     * browser down, and Jupyter's server drops output that comes faster than 1 MB/s.
     */
    public long cellOutputLimitBytes() {
        return (long) (number("SPARK_LAB_CELL_OUTPUT_MB", "2") * 1_000_000);
    }

    /** Where output past the cell output limit is kept, one file per cell: LAB_HOME/cell-output. */
    public Path cellOutputDir() {
        return labHome().resolve("cell-output");
    }

    /** SPARK_LAB_LIVE_VIEW_INTERVAL_MS: a live view updates at most this often, so a fast stream cannot flood the browser. */
    public long liveViewIntervalMs() {
        return longNumber("SPARK_LAB_LIVE_VIEW_INTERVAL_MS", "250");
    }

    /** SPARK_LAB_CHECKS: a second folder where %check looks for exercise checks (after ./checks). */
    public Path checksDir() {
        String dir = env.get("SPARK_LAB_CHECKS");
        return dir == null || dir.isBlank() ? null : Paths.get(dir);
    }

    /**
     * JPY_SESSION_NAME (set by Jupyter's server for the kernel of a notebook: the notebook's path): the
     * folder of the notebook this kernel runs for, where its course is looked for. Without it (nbclient,
     * a console), the folder the kernel started in, which Jupyter's clients make the notebook's own.
     */
    public Path notebookDir() {
        Path cwd = Paths.get(System.getProperty("user.dir"));
        String session = env.get("JPY_SESSION_NAME");
        if (session == null || session.isBlank()) return cwd;
        Path path = cwd.resolve(session.trim());
        if (java.nio.file.Files.isDirectory(path)) return path;
        if (java.nio.file.Files.isRegularFile(path) && path.getParent() != null) return path.getParent();
        return cwd; // a name that is not a path (a console's session): the start folder
    }

    /**
     * SPARK_LAB_LANGUAGE: the language the kernel speaks (en, ko), whatever the notebook. Unset (null): the
     * language of the notebook's edition of the course (course.json), else English.
     */
    public java.util.Locale language() {
        String tag = env.get("SPARK_LAB_LANGUAGE");
        return tag == null || tag.isBlank() ? null : java.util.Locale.forLanguageTag(tag.trim());
    }

    /** SPARK_LAB_LOG_LEVEL: Spark's log level in the log file. */
    public String sparkLogLevel() {
        return get("SPARK_LAB_LOG_LEVEL", "WARN");
    }

    /**
     * KAFKA_BOOTSTRAP_SERVERS: an existing Kafka cluster (host:port[,host:port...]) that every %kafka
     * magic and the lessons use instead of the embedded broker. Unset (null): the embedded broker.
     */
    public String kafkaBootstrapServers() {
        String value = env.get("KAFKA_BOOTSTRAP_SERVERS");
        return value == null || value.isBlank() ? null : value.trim();
    }

    /** SPARK_LAB_KAFKA_PORT: the port the embedded broker listens on (%kafka start --port overrides). Default 9092. */
    public int kafkaPort() {
        return wholeNumber("SPARK_LAB_KAFKA_PORT", "9092");
    }

    /** SPARK_LAB_KAFKA_CONTROLLER_PORT: the embedded broker's KRaft controller port. Default: the broker's port + 1. */
    public int kafkaControllerPort(int brokerPort) {
        return wholeNumber("SPARK_LAB_KAFKA_CONTROLLER_PORT", String.valueOf(brokerPort + 1));
    }

    /** SPARK_LAB_KAFKA_HOST: the address the embedded broker binds and advertises; loopback unless configured. */
    public String kafkaHost() {
        return get("SPARK_LAB_KAFKA_HOST", "127.0.0.1");
    }

    /** SPARK_LAB_KAFKA_HEAP: the embedded broker JVM's heap (-Xmx). Default 128m, enough with its small cleaner buffer. */
    public String kafkaHeap() {
        return get("SPARK_LAB_KAFKA_HEAP", "128m");
    }

    /** SPARK_LAB_KAFKA_DIR: the embedded broker's data (cluster id, topics); kept across restarts. Default LAB_HOME/kafka. */
    public Path kafkaDataDir() {
        String dir = env.get("SPARK_LAB_KAFKA_DIR");
        if (dir != null && !dir.isBlank()) return Paths.get(dir.trim());
        return labHome().resolve("kafka");
    }

    /**
     * SPARK_LAB_BROKER_JAR: the embedded broker's runnable jar. Unset (null): found beside the kernel jar
     * (../../broker/target/spark-streaming-lab-broker.jar in a build of this repository).
     */
    public Path brokerJar() {
        String jar = env.get("SPARK_LAB_BROKER_JAR");
        return jar == null || jar.isBlank() ? null : Paths.get(jar.trim());
    }

    /** SPARK_LAB_KAFKA_START_SECONDS: how long %kafka start waits for the broker to accept clients. Default 90. */
    public int kafkaStartSeconds() {
        return wholeNumber("SPARK_LAB_KAFKA_START_SECONDS", "90");
    }

    /**
     * SPARK_LAB_KAFKA_TIMEOUT_SECONDS: how long one Kafka request of a magic (list, create, describe...) may
     * take. Default 30: a broker that is not there is found at once by a connection check, this only
     * bounds a slow one (a busy 2-core machine, a remote cluster).
     */
    public int kafkaRequestSeconds() {
        return wholeNumber("SPARK_LAB_KAFKA_TIMEOUT_SECONDS", "30");
    }

    /**
     * SPARK_LAB_DRIVER_HOST: the name or address executors on other machines use to reach the driver
     * (spark.driver.host), e.g. the lab's container name "lab" in docker/compose.yml. Default: the bind
     * address; when that is a wildcard (0.0.0.0, ::) nothing (null), and Spark uses this machine's name.
     */
    public String driverHost() {
        String host = env.get("SPARK_LAB_DRIVER_HOST");
        if (host != null && !host.isBlank()) return host.trim();
        String bind = bindAddress();
        return bind.equals("0.0.0.0") || bind.equals("::") || bind.equals("[::]") ? null : bind;
    }

    /**
     * SPARK_LOCAL_HOSTNAME (Spark's own variable): the name Spark's driver goes by. Unset (null): the lab
     * gives Spark the driver host ({@link #driverHost()}, loopback by default), so Spark never looks this
     * machine's name up; in a container or on a CI runner that name often does not resolve.
     */
    public String sparkLocalHostname() {
        String name = env.get("SPARK_LOCAL_HOSTNAME");
        return name == null || name.isBlank() ? null : name.trim();
    }

    /**
     * SPARK_LOCAL_IP (Spark's own variable): the address the Spark UI listens on. Default 127.0.0.1, not
     * Spark's all addresses: the UI shows the notebook's code and data, and a proxy (jupyter-server-proxy
     * in the image) reaches it on loopback. Set it to 0.0.0.0 to open the UI to other machines.
     */
    public String sparkUiAddress() {
        return get("SPARK_LOCAL_IP", "127.0.0.1");
    }

    /**
     * SPARK_LAB_UI_PROXY: how %spark links the Spark UI when a proxy serves it: a template where {base}
     * is the Jupyter server's base URL and {port} the UI's port, e.g. {base}proxy/{port}/jobs/ for
     * jupyter-server-proxy (the image sets that). Unset (null): the UI's own address.
     */
    public String sparkUiProxy() {
        String template = env.get("SPARK_LAB_UI_PROXY");
        return template == null || template.isBlank() ? null : template.trim();
    }

    /**
     * JUPYTERHUB_SERVICE_PREFIX (set by JupyterHub and Binder for the server and its kernels): the
     * Jupyter server's base URL, always ending in "/". Default "/", a server started without a hub.
     */
    public String jupyterBaseUrl() {
        String prefix = get("JUPYTERHUB_SERVICE_PREFIX", "/");
        if (!prefix.startsWith("/")) prefix = "/" + prefix;
        return prefix.endsWith("/") ? prefix : prefix + "/";
    }

    /**
     * A numeric setting. A bad value is still a NumberFormatException, but one that names the variable, so
     * the kernel's log says what to fix rather than only `For input string: "abc"`.
     */
    private <T> T parsed(String name, String fallback, java.util.function.Function<String, T> parse, String what) {
        String value = get(name, fallback);
        try {
            return parse.apply(value);
        } catch (NumberFormatException e) {
            throw new NumberFormatException(name + " must be " + what + ", not '" + value + "'.");
        }
    }

    private int wholeNumber(String name, String fallback) {
        return parsed(name, fallback, Integer::parseInt, "a whole number");
    }

    private long longNumber(String name, String fallback) {
        return parsed(name, fallback, Long::parseLong, "a whole number");
    }

    /** A setting that may have a fraction (SPARK_LAB_CELL_OUTPUT_MB=0.5). */
    private double number(String name, String fallback) {
        return parsed(name, fallback, Double::parseDouble, "a number");
    }

    private String get(String name, String fallback) {
        String value = env.get(name);
        return value == null || value.isBlank() ? fallback : value.trim();
    }
}
