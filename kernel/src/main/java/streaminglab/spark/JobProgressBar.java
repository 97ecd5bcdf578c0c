package streaminglab.spark;

import io.github.spencerpark.jupyter.kernel.display.DisplayData;
import org.apache.spark.SparkJobInfo;
import org.apache.spark.SparkStageInfo;
import org.apache.spark.SparkStatusTracker;
import org.apache.spark.sql.SparkSession;
import streaminglab.output.CellOutput;

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
    private final ScheduledExecutorService ticker = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "job-progress");
        t.setDaemon(true);
        return t;
    });

    public JobProgressBar(SparkStarter starter) {
        this.starter = starter;
    }

    /** Watches the cell's job group until {@link Watch#close()}. */
    public Watch watch(CellOutput cell) {
        return new Watch(cell);
    }

    public final class Watch implements AutoCloseable {
        private final CellOutput cell;
        private final String displayId;
        private final long started = System.currentTimeMillis();
        private final ScheduledFuture<?> task;
        private volatile boolean shown;

        private Watch(CellOutput cell) {
            this.cell = cell;
            this.displayId = "spark-progress-" + cell.executionCount() + "-" + started;
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
            DisplayData bar = render(jobs, done, running, total);
            bar.setDisplayId(displayId);
            if (!shown) {
                cell.display(bar);
                shown = true;
            } else {
                cell.updateDisplay(bar);
            }
        }

        private DisplayData render(int jobs, int done, int running, int total) {
            long seconds = (System.currentTimeMillis() - started) / 1000;
            String label = jobs == 0 ? "Spark: finishing…"
                    : String.format("Spark: %d of %d tasks done, %d running (%d s)", done, total, running, seconds);
            int width = 30;
            int filled = total == 0 ? 0 : (int) ((long) done * width / total);
            DisplayData data = new DisplayData("[" + "=".repeat(filled) + " ".repeat(width - filled) + "] " + label);
            data.putHTML("<div><progress value=\"" + done + "\" max=\"" + Math.max(total, 1)
                    + "\" style=\"width:240px\"></progress> <span style=\"font-size:85%\">" + label + "</span></div>");
            return data;
        }

        /** The cell ended: the bar disappears. */
        @Override
        public void close() {
            task.cancel(false);
            if (shown) {
                DisplayData empty = new DisplayData("");
                empty.putHTML("");
                empty.setDisplayId(displayId);
                cell.updateDisplay(empty);
            }
        }
    }

    public void shutdown() {
        ticker.shutdownNow();
    }
}
