package streaminglab.spark;

import org.apache.spark.util.Utils;
import streaminglab.config.LabSettings;
import streaminglab.language.Messages;

import java.net.UnknownHostException;

/**
 * The name Spark's driver goes by, given to Spark before its settings load.
 *
 * <p>Spark computes spark.driver.host's default when its settings first load, by looking this machine's name
 * up ({@code InetAddress.getLocalHost} in {@code Utils.findLocalInetAddress}), whatever the conf says. In a
 * container, on a CI runner or on some hubs the name does not resolve, and Spark fails there with an
 * ExceptionInInitializerError. Told the driver host first (loopback unless configured), Spark never looks
 * the name up; SPARK_LOCAL_HOSTNAME, Spark's own answer to this, wins when set.
 */
final class DriverHostName {
    private DriverHostName() {
    }

    /** Gives Spark the driver's name, unless SPARK_LOCAL_HOSTNAME does or the driver has none (a wildcard bind). */
    static void tellSpark(LabSettings settings) {
        if (settings.sparkLocalHostname() != null) return; // Spark reads it itself
        String host = settings.driverHost();
        if (host != null) Utils.setCustomHostname(host.contains(":") && !host.startsWith("[") ? "[" + host + "]" : host);
    }

    /**
     * What to tell the user when Spark failed to start because this machine's name does not resolve: the
     * name, the cause and the fix. Null when the failure is another one.
     */
    static String explain(Throwable failure) {
        UnknownHostException unknown = null;
        for (Throwable t = failure; t != null && t != t.getCause(); t = t.getCause()) {
            if (t instanceof UnknownHostException u) unknown = u; // the innermost says it once: "NAME: why"
        }
        if (unknown == null) return null;
        String message = String.valueOf(unknown.getMessage());
        int colon = message.indexOf(':');
        String name = colon > 0 ? message.substring(0, colon) : message;
        String why = colon > 0 ? message.substring(colon + 1).trim() : "";
        return Messages.text("spark.hostname.unresolved", name, why.isEmpty() ? message : why);
    }
}
