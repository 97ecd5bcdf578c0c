package streaminglab.execution;

import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Runs cell code on a thread of its own, so that an interrupt can stop the cell without touching the
 * kernel's message loop. One thread runs cell after cell, as IPython's main thread does: what a cell leaves
 * on its thread (a ThreadLocal, Spark's local properties) is there in the next, and no cell pays for
 * starting a thread (0.8 ms of a `1+1` cell's 16). A cell that ignores Thread.interrupt is stopped the hard
 * way where the JVM still allows it (Java 17), and otherwise left behind; either way the next cell gets a
 * fresh thread.
 */
public final class CellThread {
    /** How long an interrupted cell gets to end by itself before it is stopped. */
    private static final long GRACE_MS = 1000;

    private final ClassLoader cellLoader;
    private Worker worker; // guarded by this
    private volatile Worker running;
    private volatile CompletableFuture<Object> current;

    public CellThread(ClassLoader cellLoader) {
        this.cellLoader = cellLoader;
    }

    /** Runs body on the cell thread and waits for it; throws {@link CellInterruptedException} when interrupted. */
    public Object run(Callable<Object> body) throws Exception {
        CompletableFuture<Object> result = new CompletableFuture<>();
        Worker thread = worker();
        current = result;
        running = thread;
        thread.inbox.put(() -> {
            try {
                result.complete(body.call());
            } catch (Throwable t) {
                result.completeExceptionally(t);
            }
        });
        try {
            return result.get();
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof Exception) throw (Exception) cause;
            if (cause instanceof Error) throw (Error) cause;
            throw e;
        } finally {
            current = null;
            running = null;
        }
    }

    /** Interrupts the running cell; returns at once, escalating in the background. */
    public void interrupt() {
        Worker thread = running;
        CompletableFuture<Object> result = current;
        if (thread == null || result == null) return;
        thread.interrupt();
        Thread escalation = new Thread(() -> {
            try {
                result.get(GRACE_MS, TimeUnit.MILLISECONDS);
                return;
            } catch (TimeoutException stillRunning) {
                retire(thread);
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

    private synchronized Worker worker() {
        if (worker == null) {
            worker = new Worker();
            worker.start();
        }
        return worker;
    }

    /** The thread runs no further cells; the next cell starts a new one. */
    private synchronized void retire(Worker thread) {
        thread.retired = true;
        if (worker == thread) worker = null;
    }

    @SuppressWarnings({"deprecation", "removal"})
    private static void stopHard(Thread thread) {
        try {
            thread.stop();
        } catch (UnsupportedOperationException notOnThisJava) {
            // Java 20+ cannot stop threads: the thread is abandoned and ends when its cell code does
        }
    }

    /** The thread cells run on, one after another. */
    private final class Worker extends Thread {
        final SynchronousQueue<Runnable> inbox = new SynchronousQueue<>();
        volatile boolean retired;

        Worker() {
            super("cell");
            setDaemon(true);
        }

        @Override
        public void run() {
            while (!retired) {
                Runnable cell;
                try {
                    cell = inbox.take();
                } catch (InterruptedException lateInterrupt) {
                    continue; // meant for a cell that had already ended
                }
                setContextClassLoader(cellLoader); // a cell may have set another
                cell.run();
                Thread.interrupted(); // an interrupt of this cell must not reach the next one
            }
        }
    }
}
