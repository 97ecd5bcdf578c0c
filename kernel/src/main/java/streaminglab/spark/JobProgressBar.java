package streaminglab.spark;

import io.github.spencerpark.jupyter.kernel.display.DisplayData;
import org.apache.spark.SparkJobInfo;
import org.apache.spark.SparkStageInfo;
import org.apache.spark.SparkStatusTracker;
import org.apache.spark.sql.SparkSession;
import streaminglab.display.Displays;
import streaminglab.display.Html;
import streaminglab.output.CellOutput;
import streaminglab.output.OutputRouter;
import streaminglab.output.UpdatingDisplay;

import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * A progress bar under a cell while its Spark jobs run: shown once a job has run for a moment,
 * updated in place, and gone when the cell ends.
 */
public final class JobProgressBar {
    private static final long SHOW_AFTER_MS = 600;
    private static final long REFRESH_MS = 250;

    private final SparkStarter starter;
    private final OutputRouter router;
    private final ScheduledExecutorService ticker = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "job-progress");
        t.setDaemon(true);
        return t;
    });

    public JobProgressBar(SparkStarter starter, OutputRouter router) {
        this.starter = starter;
        this.router = router;
    }

    /** Watches the cell's job group until {@link Watch#close()}. */
    public Watch watch(CellOutput cell) {
        return new Watch(cell);
    }

    /** What the bar shows: tasks of the cell's running jobs. */
    private record Tasks(int jobs, int done, int running, int total) {
    }

    public final class Watch implements AutoCloseable {
        private final CellOutput cell;
        private final UpdatingDisplay display;
        private final long started = System.currentTimeMillis();
        private final ScheduledFuture<?> task;
        private volatile Tasks tasks;
        private volatile boolean shown;
        private volatile boolean closed;

        private Watch(CellOutput cell) {
            this.cell = cell;
            this.display = router.updatingDisplay(cell, "spark-progress-" + cell.executionCount() + "-" + started, REFRESH_MS,
                    this::render);
            this.task = ticker.scheduleWithFixedDelay(this::tick, SHOW_AFTER_MS, REFRESH_MS, TimeUnit.MILLISECONDS);
        }

        private void tick() {
            SparkSession spark = starter.sessionIfReady();
            if (spark == null) return;
            SparkStatusTracker tracker = spark.sparkContext().statusTracker();
            int total = 0, done = 0, running = 0, jobs = 0;
            for (int jobId : tracker.getJobIdsForGroup(CellJobs.groupOf(cell.executionCount()))) {
                SparkJobInfo job = tracker.getJobInfo(jobId).getOrElse(() -> null);
                if (job == null || job.status() != org.apache.spark.JobExecutionStatus.RUNNING) continue;
                jobs++;
                for (int stageId : job.stageIds()) {
                    SparkStageInfo stage = tracker.getStageInfo(stageId).getOrElse(() -> null);
                    if (stage == null) continue;
                    total += stage.numTasks();
                    done += stage.numCompletedTasks();
                    running += stage.numActiveTasks();
                }
            }
            if (jobs == 0 && !shown) return;
            tasks = new Tasks(jobs, done, running, total);
            if (!shown) {
                display.show();
                shown = true;
            } else {
                display.changed();
            }
        }

        private DisplayData render() {
            if (closed) return Displays.of("", Html.nothing());
            Tasks t = tasks;
            long seconds = (System.currentTimeMillis() - started) / 1000;
            String label = t.jobs() == 0 ? "Spark: finishing…"
                    : String.format("Spark: %d of %d tasks done, %d running (%d s)", t.done(), t.total(), t.running(), seconds);
            int width = 30;
            int filled = t.total() == 0 ? 0 : (int) ((long) t.done() * width / t.total());
            return Displays.of("[" + "=".repeat(filled) + " ".repeat(width - filled) + "] " + label,
                    Html.status(Html.line().progress(t.done(), Math.max(t.total(), 1), "15").text(label), Html.Tone.NEUTRAL));
        }

        /** The cell ended: the bar disappears. */
        @Override
        public void close() {
            task.cancel(false);
            closed = true;
            if (shown) display.updateNow();
        }
    }

    public void shutdown() {
        ticker.shutdownNow();
    }
}
