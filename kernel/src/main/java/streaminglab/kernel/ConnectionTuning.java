package streaminglab.kernel;

import io.github.spencerpark.jupyter.channels.JupyterConnection;
import io.github.spencerpark.jupyter.channels.Loop;

import java.lang.reflect.Field;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Two fixes to the base library's message loops, made where it offers no setting:
 * <ul>
 * <li>the shell and control loops sleep 50 ms between polls, which puts up to 50 ms on every
 *     reply; they poll every {@value #LOOP_SLEEP_MS} ms instead;</li>
 * <li>a message with a wrong HMAC signature throws out of the loop and ends the kernel; it is
 *     logged and dropped instead.</li>
 * </ul>
 */
final class ConnectionTuning {
    static final long LOOP_SLEEP_MS = 2;
    private static final Logger LOG = Logger.getLogger(ConnectionTuning.class.getName());

    private ConnectionTuning() {
    }

    /** Before connect(): shorter sleeps. */
    static void beforeConnect(JupyterConnection connection) {
        for (String channel : new String[]{"shell", "control"}) {
            try {
                Object shell = field(JupyterConnection.class, "" + channel).get(connection);
                field(shell.getClass(), "sleep").setLong(shell, LOOP_SLEEP_MS);
            } catch (ReflectiveOperationException | RuntimeException e) {
                LOG.log(Level.WARNING, "could not shorten the " + channel + " loop's sleep; replies may be slower", e);
            }
        }
    }

    /** After connect(): bad messages are dropped, not fatal. */
    static void afterConnect(JupyterConnection connection) {
        for (String channel : new String[]{"shell", "control"}) {
            try {
                Object shell = field(JupyterConnection.class, channel).get(connection);
                Loop loop = (Loop) field(shell.getClass(), "ioloop").get(shell);
                if (loop == null) continue;
                loop.onError(error -> {
                    LOG.log(Level.WARNING, "dropped a message on " + channel + ": " + error);
                    return LOOP_SLEEP_MS;
                });
            } catch (ReflectiveOperationException | RuntimeException e) {
                LOG.log(Level.WARNING, "could not guard the " + channel + " loop against bad messages", e);
            }
        }
    }

    private static Field field(Class<?> type, String name) throws NoSuchFieldException {
        for (Class<?> c = type; c != null; c = c.getSuperclass()) {
            try {
                Field f = c.getDeclaredField(name);
                f.setAccessible(true);
                return f;
            } catch (NoSuchFieldException ignored) {
                // look in the superclass
            }
        }
        throw new NoSuchFieldException(name);
    }
}
