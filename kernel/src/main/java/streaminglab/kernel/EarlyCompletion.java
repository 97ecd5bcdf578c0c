package streaminglab.kernel;

import io.github.spencerpark.jupyter.kernel.ReplacementOptions;
import org.apache.spark.sql.SparkSession;

import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Tab on `spark.` in the first seconds after a start, before JShell is up (it starts beside the SparkSession, and
 * on 2 cores that takes a while): the members of SparkSession, the type the kernel declares `spark` with, found by
 * reflection and judged as JShell's suggestions are ({@link SparkApiMembers}). Anything else waits for JShell.
 */
final class EarlyCompletion {
    private static final Pattern SPARK_MEMBER = Pattern.compile("(?<![\\w.$])spark\\s*\\.\\s*([A-Za-z_]\\w*)?$");

    private EarlyCompletion() {
    }

    /** The options for a cursor right after `spark.` (and part of a name), or null for anything else. */
    static ReplacementOptions sparkMembers(String javaText, int cursor) {
        int at = Math.max(0, Math.min(cursor, javaText.length()));
        Matcher m = SPARK_MEMBER.matcher(javaText.substring(0, at));
        if (!m.find()) return null;
        String typed = m.group(1) == null ? "" : m.group(1);
        Map<String, Boolean> takesArguments = new TreeMap<>(); // name -> some overload has parameters
        for (Method method : SparkSession.class.getMethods()) {
            if (Modifier.isStatic(method.getModifiers()) || !method.getName().startsWith(typed)) continue;
            if (!SparkApiMembers.isJavaApi(method)) continue;
            takesArguments.merge(method.getName(), method.getParameterCount() > 0, Boolean::logicalOr);
        }
        List<String> options = new ArrayList<>();
        takesArguments.forEach((name, arguments) -> options.add(name + (arguments ? "(" : "()")));
        return new ReplacementOptions(options, at - typed.length(), at);
    }
}
