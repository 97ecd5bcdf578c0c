package streaminglab.kernel;

import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Which members JShell offers on Tab are the Java API one calls, and which are Scala's machinery that Spark's
 * bytecode exposes to Java: names with a `$` (default arguments `x$default$2`, trait fields
 * `org$apache$spark$internal$Logging$$log_`, `$init$`), and the methods Spark's internal `Logging` trait mixes
 * into its classes (`log()`, `logInfo(…)`, `initializeLogIfNecessary(…)`, …).
 *
 * A Logging method is recognised by its receiver, not by its name alone: `functions.log(col)` is the logarithm and
 * stays. A receiver mixes Logging in exactly when its members include the trait's field accessor
 * `org$apache$spark$internal$Logging$$log_`; on such a receiver a name is Logging's only when it has no more
 * overloads than Logging declares of it (JShell lists one suggestion per overload), so a class's own `logInfo(x)`
 * beside the trait's would stay.
 */
final class SparkApiMembers {
    private static final String LOGGING = "org.apache.spark.internal.Logging";
    private static final String LOGGING_FIELD = "org$apache$spark$internal$Logging$$log_";
    /** name -> how many overloads Logging declares; empty when Spark's Logging is not on the class path */
    private static final Map<String, Integer> LOGGING_OVERLOADS = loggingOverloads();

    private final boolean receiverMixesInLogging;
    private final Map<String, Integer> overloads = new HashMap<>();

    /** allMembers: JShell's continuations for the receiver with nothing typed after the dot, one per overload. */
    private SparkApiMembers(List<String> allMembers) {
        boolean logging = false;
        for (String c : allMembers) {
            String name = nameOf(c);
            if (name.equals(LOGGING_FIELD)) logging = true;
            overloads.merge(name, 1, Integer::sum);
        }
        this.receiverMixesInLogging = logging;
    }

    static SparkApiMembers of(List<String> allMembers) {
        return new SparkApiMembers(allMembers);
    }

    /** True when a suggestion's name could be a Logging method, so that the receiver's whole member list matters. */
    static boolean mayBeLogging(String continuation) {
        return LOGGING_OVERLOADS.containsKey(nameOf(continuation));
    }

    /** False for Scala's machinery; true for everything a Java user calls. */
    boolean isJavaApi(String continuation) {
        String name = nameOf(continuation);
        if (name.indexOf('$') >= 0) return false;
        Integer logging = LOGGING_OVERLOADS.get(name);
        if (logging == null || !receiverMixesInLogging) return true;
        return overloads.getOrDefault(name, 0) > logging;
    }

    /** The same judgement for a method found by reflection, which knows its declaring class and parameters. */
    static boolean isJavaApi(Method m) {
        if (m.isSynthetic() || m.isBridge() || m.getName().indexOf('$') >= 0) return false;
        if (!LOGGING_OVERLOADS.containsKey(m.getName())) return true;
        try {
            Class<?> logging = Class.forName(LOGGING, false, SparkApiMembers.class.getClassLoader());
            if (!logging.isAssignableFrom(m.getDeclaringClass())) return true;
            logging.getMethod(m.getName(), m.getParameterTypes());
            return false; // Logging declares this very method
        } catch (ClassNotFoundException | NoSuchMethodException e) {
            return true;
        }
    }

    private static String nameOf(String continuation) {
        int paren = continuation.indexOf('(');
        return paren < 0 ? continuation : continuation.substring(0, paren);
    }

    private static Map<String, Integer> loggingOverloads() {
        Map<String, Integer> counts = new HashMap<>();
        try {
            for (Method m : Class.forName(LOGGING, false, SparkApiMembers.class.getClassLoader()).getMethods()) {
                if (Modifier.isStatic(m.getModifiers()) || m.getName().indexOf('$') >= 0) continue;
                counts.merge(m.getName(), 1, Integer::sum);
            }
        } catch (ClassNotFoundException | LinkageError e) {
            // no Spark on the class path: nothing mixes Logging in
        }
        return Map.copyOf(counts);
    }
}
