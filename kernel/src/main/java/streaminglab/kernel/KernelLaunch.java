package streaminglab.kernel;

import io.github.spencerpark.jupyter.channels.JupyterConnection;
import io.github.spencerpark.jupyter.kernel.KernelConnectionProperties;
import streaminglab.config.LabSettings;

import java.io.FileOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.Optional;
import java.util.logging.FileHandler;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.logging.SimpleFormatter;

/** Starts a kernel on a connection file: logs to files, connect, serve until shutdown, stop all. */
public final class KernelLaunch {
    private KernelLaunch() {
    }

    /** Spark and JShell start after the first kernel_info reply, or this long after connecting if none is asked. */
    private static final long BACKGROUND_START_DELAY_MS = 300;

    public static void run(String connectionFile, LabSettings settings) throws Exception {
        Path logDir = settings.logDir();
        Files.createDirectories(logDir);
        // Spark's log4j reads this before anything logs; logs go to a file, never into cells
        System.setProperty("spark.lab.log.dir", logDir.toString());
        System.setProperty("spark.lab.log.level", settings.sparkLogLevel());
        System.setProperty("log4j2.configurationFile", "classpath:streaminglab/log4j2.properties");
        PrintStream log = new PrintStream(new FileOutputStream(logDir.resolve("kernel.log").toFile(), true), true,
                StandardCharsets.UTF_8);
        routeJavaLogging(logDir);
        warnIfClassArchiveMissing(log);

        String json = Files.readString(Paths.get(connectionFile));
        KernelConnectionProperties properties = KernelConnectionProperties.parse(json);
        JupyterConnection connection = new JupyterConnection(properties);
        ConnectionTuning.beforeConnect(connection);

        LabKernel kernel = new LabKernel(settings, connection, log);
        kernel.start();
        kernel.becomeHandlerForConnection(connection);
        connection.connect();
        ConnectionTuning.afterConnect(connection);
        kernel.startBackgroundWork(BACKGROUND_START_DELAY_MS);
        Runtime.getRuntime().addShutdownHook(new Thread(kernel::stopEverything, "kernel-stop"));
        exitWithParent(kernel, settings, log);
        log.println("kernel started on " + connectionFile + " (pid " + ProcessHandle.current().pid() + ")");

        connection.waitUntilClose();
        kernel.stopEverything();
        log.println("kernel stopped");
        System.exit(0);
    }

    /**
     * A JVM told to map a class archive that is not there starts without it and says nothing; the kernel then
     * starts seconds slower for no visible reason. Say it, where whoever runs Jupyter sees it.
     */
    private static void warnIfClassArchiveMissing(PrintStream log) {
        for (String option : java.lang.management.ManagementFactory.getRuntimeMXBean().getInputArguments()) {
            if (!option.startsWith("-XX:SharedArchiveFile=")) continue;
            Path archive = Paths.get(option.substring(option.indexOf('=') + 1));
            if (Files.isRegularFile(archive)) continue;
            String message = "Spark Streaming Lab: the kernel's class archive " + archive + " is missing, so the kernel "
                    + "starts more slowly. Install the kernel again (java -jar spark-streaming-lab-kernel.jar install) "
                    + "to write it.";
            log.println(message);
            System.err.println(message);
        }
    }

    /** How long an orphaned kernel lets Spark and the broker stop cleanly before it halts (exit within 10 s). */
    private static final long ORPHAN_STOP_MS = 5_000;
    private static final long PARENT_POLL_MS = 500;

    /**
     * A kernel whose Jupyter server or client died (killed, crashed) would run on with Spark, its queries
     * and the broker, with no notebook to show them: like ipykernel, it follows its parent out. The parent
     * is JPY_PARENT_PID (what jupyter_client sets), else the process that started the JVM. Two signs, as
     * either alone can miss it: the parent's exit, and this process being handed to another parent (the
     * parent died, but its own parent has not reaped it yet, so it still looks alive as a zombie).
     * What the kernel started gets a few seconds to stop cleanly; then the JVM halts, and the broker,
     * whose standard input was the kernel, stops on its own.
     */
    private static void exitWithParent(LabKernel kernel, LabSettings settings, PrintStream log) {
        java.util.OptionalLong jupyter = settings.jupyterParentPid();
        Optional<ProcessHandle> parent = jupyter.isPresent() ? ProcessHandle.of(jupyter.getAsLong())
                : ProcessHandle.current().parent();
        if (parent.isEmpty() || parent.get().pid() <= 1) return;
        long parentPid = parent.get().pid();
        long startedUnder = ProcessHandle.current().parent().map(ProcessHandle::pid).orElse(-1L);
        java.util.concurrent.atomic.AtomicBoolean leaving = new java.util.concurrent.atomic.AtomicBoolean();
        Runnable leave = () -> {
            if (!leaving.compareAndSet(false, true)) return;
            log.println("the kernel's parent process " + parentPid + " is gone: stopping");
            Thread stop = new Thread(kernel::stopEverything, "kernel-stop-orphaned");
            stop.setDaemon(true);
            stop.start();
            try {
                stop.join(ORPHAN_STOP_MS);
            } catch (InterruptedException ignored) {
                // halting anyway
            }
            Runtime.getRuntime().halt(0);
        };
        parent.get().onExit().thenRun(leave);
        Thread watch = new Thread(() -> {
            while (true) {
                try {
                    Thread.sleep(PARENT_POLL_MS);
                } catch (InterruptedException e) {
                    return;
                }
                long now = ProcessHandle.current().parent().map(ProcessHandle::pid).orElse(-1L);
                if (now != startedUnder) {
                    leave.run();
                    return;
                }
            }
        }, "parent-watch");
        watch.setDaemon(true);
        watch.start();
    }

    /**
     * The Jupyter side's own warnings (the base kernel's and the lab's java.util.logging loggers) go to
     * protocol.log. Attached to those loggers, not to the root: Spark, once up, hands the root logger to
     * its own logging (SLF4J), which would otherwise move these lines into spark.log.
     */
    private static void routeJavaLogging(Path logDir) throws IOException {
        Logger root = Logger.getLogger("");
        for (var handler : root.getHandlers()) root.removeHandler(handler); // nothing on the kernel's stderr
        FileHandler file = new FileHandler(logDir.resolve("protocol.log").toString(), 1 << 20, 1, true);
        file.setFormatter(new SimpleFormatter());
        for (Logger logger : PROTOCOL_LOGGERS) {
            logger.addHandler(file);
            logger.setUseParentHandlers(false);
            logger.setLevel(Level.WARNING);
        }
    }

    /** Held here: java.util.logging keeps loggers only as long as someone refers to them. */
    private static final List<Logger> PROTOCOL_LOGGERS = List.of(
            Logger.getLogger("io.github.spencerpark"), Logger.getLogger("streaminglab"));
}
