package streaminglab.execution;

import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Runs cell code on a thread of its own, so that an interrupt can stop the cell without
 * touching the kernel's message loop. A cell that ignores Thread.interrupt is stopped the hard
 * way where the JVM still allows it (Java 17), and otherwise left behind on a fresh thread.
 */
public final class CellThread {
    /** How long an interrupted cell gets to end by itself before it is stopped. */
    private static final long GRACE_MS = 1000;

    private final ClassLoader cellLoader;
    private volatile Thread worker;
    private volatile CompletableFuture<Object> current;

    public CellThread(ClassLoader cellLoader) {
        this.cellLoader = cellLoader;
    }

    /** Runs body on the cell thread and waits for it; throws {@link CellInterruptedException} when interrupted. */
    public Object run(Callable<Object> body) throws Exception {
        CompletableFuture<Object> result = new CompletableFuture<>();
        Thread thread = new Thread(() -> {
            try {
                result.complete(body.call());
            } catch (Throwable t) {
                result.completeExceptionally(t);
            }
        }, "cell");
        thread.setDaemon(true);
        thread.setContextClassLoader(cellLoader);
        current = result;
        worker = thread;
        thread.start();
        try {
            return result.get();
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof Exception) throw (Exception) cause;
            if (cause instanceof Error) throw (Error) cause;
            throw e;
        } finally {
            current = null;
            worker = null;
        }
    }

    /** Interrupts the running cell; returns at once, escalating in the background. */
    public void interrupt() {
        Thread thread = worker;
        CompletableFuture<Object> result = current;
        if (thread == null || result == null) return;
        thread.interrupt();
        Thread escalation = new Thread(() -> {
            try {
                result.get(GRACE_MS, TimeUnit.MILLISECONDS);
                return;
            } catch (TimeoutException stillRunning) {
                stopHard(thread);
            } catch (Exception finished) {
                return;
            }
            // whatever the thread does now, the cell is over for the notebook
            result.completeExceptionally(new CellInterruptedException());
        }, "cell-interrupt");
        escalation.setDaemon(true);
        escalation.start();
    }

    @SuppressWarnings({"deprecation", "removal"})
    private static void stopHard(Thread thread) {
        try {
            thread.stop();
        } catch (UnsupportedOperationException notOnThisJava) {
            // Java 20+ cannot stop threads: the thread is abandoned and the next cell gets a new one
        }
    }
}
