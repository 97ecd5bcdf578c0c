package streaminglab.kernel;

import io.github.spencerpark.jupyter.channels.JupyterConnection;
import io.github.spencerpark.jupyter.channels.JupyterSocket;
import io.github.spencerpark.jupyter.channels.ShellChannel;
import io.github.spencerpark.jupyter.channels.ShellHandler;
import io.github.spencerpark.jupyter.channels.ShellReplyEnvironment;
import io.github.spencerpark.jupyter.messages.Message;
import io.github.spencerpark.jupyter.messages.MessageType;
import org.zeromq.ZMQ;

import java.util.ArrayList;
import java.util.List;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * stop_on_error: when a cell fails, the execute requests already waiting behind it ("Run All")
 * are answered "aborted" without running, as ipykernel does; other requests waiting there are
 * handled as usual.
 */
final class QueuedRequests {
    private static final Logger LOG = Logger.getLogger(QueuedRequests.class.getName());

    private QueuedRequests() {
    }

    /**
     * Aborts what was queued behind the failed request. The queue is read before the failure's
     * reply goes out (so a request a client sends after seeing the error is never taken for a
     * queued one) and answered after it (so replies keep their order).
     */
    static void abortQueuedBehind(JupyterConnection connection, ShellReplyEnvironment failed) {
        if (connection == null || !(failed.getShell() instanceof ShellChannel)) return;
        ShellChannel shell = (ShellChannel) failed.getShell();
        List<Message<?>> queued = new ArrayList<>();
        while ((shell.getEvents() & ZMQ.Poller.POLLIN) != 0) {
            try {
                Message<?> next = shell.readMessage();
                if (next == null) break;
                queued.add(next);
            } catch (RuntimeException bad) {
                LOG.log(Level.WARNING, "dropped a queued message: " + bad);
            }
        }
        failed.resolveDeferrals();
        for (Message<?> next : queued) {
            if (answer(connection, shell, next)) return;
        }
    }

    /** Answers one queued request; true when it asked the kernel to shut down. */
    @SuppressWarnings({"unchecked", "rawtypes"})
    private static boolean answer(JupyterConnection connection, ShellChannel shell, Message<?> next) {
        ShellReplyEnvironment env = connection.prepareReplyEnv(shell, next);
        try {
            if (next.getHeader().getType() == MessageType.EXECUTE_REQUEST) {
                env.setBusyDeferIdle();
                env.defer().reply(new Replies.Aborted());
            } else {
                ShellHandler handler = connection.getHandler(next.getHeader().getType());
                if (handler != null) handler.handle(env, (Message) next);
            }
        } catch (Exception e) {
            LOG.log(Level.WARNING, "a queued " + next.getHeader().getType().getName() + " failed: " + e);
        } finally {
            env.resolveDeferrals();
        }
        if (env.isMarkedForShutdown()) { // a queued shutdown_request: as the shell loop would
            connection.close();
            return true;
        }
        return false;
    }
}
