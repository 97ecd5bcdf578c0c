package streaminglab.kernel;

import io.github.spencerpark.jupyter.channels.JupyterConnection;
import io.github.spencerpark.jupyter.channels.ShellReplyEnvironment;
import io.github.spencerpark.jupyter.kernel.BaseKernel;
import io.github.spencerpark.jupyter.kernel.LanguageInfo;
import io.github.spencerpark.jupyter.kernel.ReplacementOptions;
import io.github.spencerpark.jupyter.kernel.display.DisplayData;
import io.github.spencerpark.jupyter.kernel.history.HistoryManager;
import io.github.spencerpark.jupyter.messages.Header;
import io.github.spencerpark.jupyter.messages.Message;
import io.github.spencerpark.jupyter.messages.MessageType;
import io.github.spencerpark.jupyter.messages.publish.PublishError;
import io.github.spencerpark.jupyter.messages.publish.PublishExecuteInput;
import io.github.spencerpark.jupyter.messages.publish.PublishExecuteResult;
import io.github.spencerpark.jupyter.messages.reply.ErrorReply;
import io.github.spencerpark.jupyter.messages.reply.ExecuteReply;
import io.github.spencerpark.jupyter.messages.request.ExecuteRequest;
import io.github.spencerpark.jupyter.messages.request.HistoryRequest;
import io.github.spencerpark.jupyter.messages.request.InterruptRequest;
import io.github.spencerpark.jupyter.messages.request.KernelInfoRequest;
import io.github.spencerpark.jupyter.messages.request.ShutdownRequest;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.SparkSession;
import streaminglab.config.LabSettings;
import streaminglab.course.Course;
import streaminglab.language.Messages;
import streaminglab.display.ValueRenderer;
import streaminglab.exercises.CheckMagic;
import streaminglab.execution.CellClassLoader;
import streaminglab.execution.CellError;
import streaminglab.execution.CellThread;
import streaminglab.execution.ExecutorClassFolder;
import streaminglab.execution.JavaEvaluator;
import streaminglab.execution.KernelClassPath;
import streaminglab.magics.HelpMagics;
import streaminglab.magics.MagicRegistry;
import streaminglab.magics.SparkMagic;
import streaminglab.magics.SqlMagic;
import streaminglab.output.CellOutput;
import streaminglab.output.OutputLimit;
import streaminglab.output.OutputRouter;
import streaminglab.runtime.Lab;
import streaminglab.spark.CellJobs;
import streaminglab.spark.JobProgressBar;
import streaminglab.spark.SparkStarter;
import streaminglab.kafka.KafkaLab;
import streaminglab.socket.SocketMagic;
import streaminglab.streaming.CheckpointMagic;
import streaminglab.streaming.LiveViews;
import streaminglab.streaming.SourceWatch;
import streaminglab.streaming.StreamMagic;
import streaminglab.streaming.StreamingQueries;
import streaminglab.streaming.StreamingDisplay;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;

/**
 * The kernel: wires the parts together and speaks the protocol. A cell goes
 * execute_request → {@link CellRunner} (magics or JShell, on a {@link CellThread}) → value →
 * {@link ValueRenderer} → {@link OutputRouter} → IOPub.
 */
public final class LabKernel extends BaseKernel {
    private final LabSettings settings;
    private final Course course;
    private final OutputRouter router;
    private final CellClassLoader cellLoader;
    private final CellThread cellThread;
    private final ExecutorClassFolder executorClasses;
    private final SparkStarter spark;
    private final CellJobs jobs;
    private final JobProgressBar progressBar;
    private final ValueRenderer renderer;
    private final MagicRegistry magics = new MagicRegistry();
    private final CellHistory history = new CellHistory();
    private final CompletableFuture<JavaEvaluator> java = new CompletableFuture<>();
    private final PrintStream log;
    private final SocketMagic sockets;
    private final KafkaLab kafka;
    private volatile LiveViews liveViews;
    private volatile SourceWatch sourceWatch;
    private JupyterConnection connection;
    private volatile int runningCell = -1;
    private volatile boolean stopped;

    public LabKernel(LabSettings settings, JupyterConnection connection, PrintStream log) {
        this.settings = settings;
        this.log = log;
        this.course = Course.around(settings.notebookDir());
        Messages.use(settings.language() != null ? settings.language()
                : course != null ? course.languageAt(settings.notebookDir()) : Locale.ENGLISH);
        this.router = new OutputRouter(connection.getIOPub(), log,
                new OutputLimit(settings.cellOutputLimitBytes(), settings.cellOutputDir()));
        this.cellLoader = new CellClassLoader(LabKernel.class.getClassLoader());
        this.cellThread = new CellThread(cellLoader);
        // executors on other JVMs load cell classes from the driver; local executors share ours
        this.executorClasses = settings.isLocalMaster() ? null
                : new ExecutorClassFolder(settings.executorClassDir(), cellLoader);
        this.spark = new SparkStarter(settings, cellLoader, executorClasses == null ? null : executorClasses.root());
        this.jobs = new CellJobs(spark);
        this.progressBar = new JobProgressBar(spark, router);
        this.renderer = new ValueRenderer(settings.maxRows());
        this.kafka = new KafkaLab(settings, router); // before Spark is ready: the source watch asks it for advice
        spark.onReady(session -> {
            // a query that failed because Kafka is gone says so in its view
            LiveViews views = new LiveViews(router, session, settings.maxRows(), settings.liveViewIntervalMs(), cellLoader, log,
                    kafka::explainQueryFailure);
            views.attach();
            liveViews = views;
            // a Kafka query whose broker does not answer says so in its view; stopping it returns promptly
            sourceWatch = new SourceWatch(views, session, kafka::adviseOnSilentServers, log).start();
        });
        this.sockets = new SocketMagic(settings.bindAddress(), router, port -> {
            SparkSession session = spark.sessionIfReady();
            return session == null ? 0 : StreamingQueries.socketReaders(session, port);
        });
        magics.register(new SqlMagic(spark, renderer, settings.maxRows()));
        magics.register(new SparkMagic(spark));
        magics.register(new StreamMagic(() -> {
            spark.session(); // the views exist once Spark does
            return liveViews;
        }, router));
        magics.register(new CheckpointMagic(spark::session));
        sockets.findFilesWith(this::notebookOrCourseFile);
        magics.register(sockets);
        magics.register(new CheckMagic(() -> {
            try {
                return evaluator();
            } catch (Exception e) {
                throw new IllegalStateException(e.getMessage(), e);
            }
        }, router, course == null ? null : course.file("exercises/checks"), settings.checksDir()));
        kafka.magics().forEach(magics::register);
        HelpMagics.registerInto(magics);
        Lab.attach(new Lab.Services() {
            @Override
            public SparkSession spark() {
                return spark.session();
            }

            @Override
            public String kafkaBootstrapServers() {
                return kafka.bootstrapServers();
            }

            @Override
            public String courseFile(String relative) {
                if (course == null) {
                    throw new IllegalStateException(Messages.text("course.none", settings.notebookDir(), relative));
                }
                Path path = course.file(relative);
                if (!Files.exists(path)) {
                    throw new IllegalArgumentException(Messages.text("course.missing", relative, path));
                }
                return path.toString();
            }

            @Override
            public void clearOutput(boolean wait) {
                router.clearOutput(wait);
            }

            @Override
            public void display(Object value) {
                if (value instanceof Dataset && ((Dataset<?>) value).isStreaming()) {
                    startDisplayQuery((Dataset<?>) value); // its live view appears as the query starts
                    return;
                }
                CellOutput cell = router.current();
                if (cell != null) cell.display(renderer.render(value));
            }
        });
    }

    /** A file a magic names: beside the notebook if it is there, else the course's file of that path. */
    private Path notebookOrCourseFile(String name) {
        Path here = Paths.get(name);
        if (here.isAbsolute() || Files.exists(here) || course == null) return here;
        Path shipped = course.file(name);
        return Files.exists(shipped) ? shipped : here;
    }

    private static void startDisplayQuery(Dataset<?> streaming) {
        try {
            StreamingDisplay.start(streaming);
        } catch (java.util.concurrent.TimeoutException e) {
            throw new IllegalStateException("the streaming query did not start: " + e.getMessage(), e);
        }
    }

    private final java.util.concurrent.atomic.AtomicBoolean backgroundStarted = new java.util.concurrent.atomic.AtomicBoolean();

    /** Installs the output routing; Spark and JShell start later, see {@link #startBackgroundWork}. */
    public void start() {
        router.install(); // before Spark: Scala's Console keeps the System.out it first sees
    }

    /**
     * Starts Spark and JShell in the background, once: after the first kernel_info reply (what a front end
     * waits for before it shows the kernel as ready), or after `delayMs` if no client asks. On 2 cores,
     * starting them before that reply made it wait for the CPU they took.
     */
    public void startBackgroundWork(long delayMs) {
        Thread later = new Thread(() -> {
            try {
                Thread.sleep(delayMs);
            } catch (InterruptedException e) {
                return;
            }
            startBackgroundWork();
        }, "background-start");
        later.setDaemon(true);
        later.start();
    }

    private void startBackgroundWork() {
        if (!backgroundStarted.compareAndSet(false, true)) return;
        spark.startInBackground();
        Thread jshell = new Thread(() -> {
            try {
                JavaEvaluator evaluator = new JavaEvaluator(cellLoader, KernelClassPath.entries(), executorClasses,
                        router.out(), router.err());
                evaluator.declare(DefaultImports.SOURCE);
                evaluator.eval("1"); // compiles once now, so the first cell does not pay for it
                java.complete(evaluator);
            } catch (Throwable t) {
                java.completeExceptionally(t);
            }
        }, "jshell-starter");
        jshell.setContextClassLoader(cellLoader);
        jshell.setDaemon(true);
        jshell.start();
    }

    @Override
    public void becomeHandlerForConnection(JupyterConnection connection) {
        super.becomeHandlerForConnection(connection);
        this.connection = connection;
        connection.setHandler(MessageType.EXECUTE_REQUEST, this::execute);
        connection.setHandler(MessageType.KERNEL_INFO_REQUEST, this::kernelInfo);
        connection.setHandler(MessageType.INTERRUPT_REQUEST, this::interrupt);
        connection.setHandler(MessageType.SHUTDOWN_REQUEST, this::shutdown);
        connection.setHandler(MessageType.HISTORY_REQUEST, this::history);
        connection.setHandler(MessageType.COMM_INFO_REQUEST, (env, message) -> {
            env.setBusyDeferIdle();
            env.reply(new Replies.CommInfo());
        });
    }

    private void history(ShellReplyEnvironment env, Message<HistoryRequest> message) {
        env.setBusyDeferIdle();
        HistoryRequest request = message.getContent();
        env.reply(new Replies.History(history.answer(request), request.includeOutput()));
    }

    private void execute(ShellReplyEnvironment env, Message<ExecuteRequest> message) {
        ExecuteRequest request = message.getContent();
        String code = request.getCode();
        boolean silent = request.isSilent();
        boolean store = request.shouldStoreHistory() && !silent;
        int count = store ? executionCount.getAndIncrement() : executionCount.get();
        env.setBusyDeferIdle();
        if (!silent) env.publish(new PublishExecuteInput(code, count));

        CellOutput cell = router.begin(message, count);
        runningCell = count;
        DisplayData result = null;
        CellRunner runner = null;
        CellError error = null;
        try (JobProgressBar.Watch progress = progressBar.watch(cell)) {
            CellRunner cellRunner = runner = new CellRunner(evaluator(), magics, renderer, spark, jobs);
            result = (DisplayData) cellThread.run(() -> {
                router.adopt(cell); // the cell thread, and every thread it starts, writes to this cell
                return cellRunner.run(code, count);
            });
        } catch (Throwable failure) {
            error = CellFailures.describe(failure, spark.sessionIfReady(), liveViews);
            if (error.getCause() != null) logTrace(count, error.getCause());
        } finally {
            runningCell = -1;
            router.end(cell);
        }

        if (error == null) {
            if (result != null && !silent) env.publish(new PublishExecuteResult(count, result));
            env.defer().reply(new Replies.Executed(count, runner.page()));
        } else {
            List<String> traceback = CellFailures.traceback(error);
            env.publish(new PublishError(error.name(), error.getMessage() == null ? "" : error.getMessage(), traceback));
            ErrorReply reply = new ErrorReply(error.name(), error.getMessage() == null ? "" : error.getMessage(), traceback);
            reply.setExecutionCount(count);
            env.defer().replyError(ExecuteReply.MESSAGE_TYPE.error(), reply);
            if (request.shouldStopOnError()) QueuedRequests.abortQueuedBehind(connection, env);
        }
        if (store) history.add(count, code, result == null ? null : String.valueOf(result.getData(
                io.github.spencerpark.jupyter.kernel.display.mime.MIMEType.TEXT_PLAIN)));
    }

    private JavaEvaluator evaluator() throws Exception {
        try {
            return java.get();
        } catch (ExecutionException e) {
            throw new IllegalStateException("JShell could not start: " + e.getCause(), e.getCause());
        }
    }

    private void kernelInfo(ShellReplyEnvironment env, Message<KernelInfoRequest> message) {
        env.setBusyDeferIdle();
        env.reply(new Replies.KernelInfo(Header.PROTOCOL_VERISON, "spark-streaming-lab",
                KERNEL_META.getOrDefault("version", "0.1.0"), getLanguageInfo(), getBanner(), getHelpLinks()));
        startBackgroundWork();
    }

    private void interrupt(ShellReplyEnvironment env, Message<InterruptRequest> message) {
        env.setBusyDeferIdle();
        int cell = runningCell;
        if (cell >= 0) {
            jobs.cancel(cell);
            cellThread.interrupt();
        }
        env.defer().reply(new Replies.Interrupt());
    }

    private void shutdown(ShellReplyEnvironment env, Message<ShutdownRequest> message) {
        boolean restart = message.getContent().isRestart();
        env.setBusyDeferIdle();
        stopEverything();
        env.reply(new Replies.Shutdown(restart));
        env.resolveDeferrals();
        env.markForShutdown();
    }

    /** Stops everything the kernel started: cells, Spark (queries first), output. Safe to call twice. */
    public synchronized void stopEverything() {
        if (stopped) return;
        stopped = true;
        if (runningCell >= 0) cellThread.interrupt();
        sockets.close();
        try {
            spark.stop(); // queries first (before their broker goes), then the context
        } catch (RuntimeException e) {
            log.println("Spark did not stop cleanly: " + e);
        }
        kafka.stop();
        progressBar.shutdown();
        if (sourceWatch != null) sourceWatch.stop();
        if (liveViews != null) liveViews.stop();
        router.close();
        if (java.isDone() && !java.isCompletedExceptionally()) java.join().close();
        if (executorClasses != null) executorClasses.delete();
    }

    private void logTrace(int count, Throwable t) {
        log.println("cell [" + count + "] failed:");
        t.printStackTrace(log);
    }

    @Override
    public DisplayData eval(String expr) {
        throw new UnsupportedOperationException("cells are run by LabKernel.execute");
    }

    @Override
    public LanguageInfo getLanguageInfo() {
        return new LanguageInfo.Builder("java")
                .version(System.getProperty("java.version"))
                .mimetype("text/x-java")
                .fileExtension(".java")
                .pygments("java")
                .codemirror("text/x-java")
                .build();
    }

    @Override
    public String getBanner() {
        return Messages.text("kernel.banner", System.getProperty("java.version"),
                org.apache.spark.package$.MODULE$.SPARK_VERSION());
    }

    @Override
    public List<LanguageInfo.Help> getHelpLinks() {
        return List.of(
                new LanguageInfo.Help("Structured Streaming guide",
                        "https://spark.apache.org/docs/3.5.7/structured-streaming-programming-guide.html"),
                new LanguageInfo.Help("Spark Java API", "https://spark.apache.org/docs/3.5.7/api/java/index.html"),
                new LanguageInfo.Help("Kafka integration",
                        "https://spark.apache.org/docs/3.5.7/structured-streaming-kafka-integration.html"));
    }

    @Override
    public HistoryManager getHistoryManager() {
        return history;
    }

    @Override
    public ReplacementOptions complete(String code, int at) throws Exception {
        if (!java.isDone()) { // JShell is still starting: `spark.` need not wait for it
            ReplacementOptions early = EarlyCompletion.sparkMembers(CellSource.javaOnly(code), at);
            if (early != null) return early;
        }
        return new CodeAssist(evaluator(), magics).complete(code, at);
    }

    @Override
    public DisplayData inspect(String code, int at, boolean extraDetail) throws Exception {
        return new CodeAssist(evaluator(), magics).inspect(code, at);
    }

    @Override
    public String isComplete(String code) {
        try {
            return new CodeAssist(evaluator(), magics).isComplete(code);
        } catch (Exception e) {
            return IS_COMPLETE_MAYBE;
        }
    }

    public LabSettings settings() {
        return settings;
    }
}
