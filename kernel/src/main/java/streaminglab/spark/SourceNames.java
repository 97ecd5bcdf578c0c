package streaminglab.spark;

import org.apache.spark.sql.sources.DataSourceRegister;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.TreeSet;

/**
 * The source and sink names Spark knows ("socket", "kafka", "parquet", …), and the one a mistyped name
 * was most likely meant to be. Spark finds a short name through the DataSourceRegister services on its
 * class path; the memory sink is the one name it knows without them.
 */
public final class SourceNames {
    /** Names the writer handles itself, without a DataSourceRegister. */
    private static final List<String> WITHOUT_REGISTER = List.of("memory");

    private SourceNames() {
    }

    /** Every short name, sorted. */
    public static List<String> known() {
        TreeSet<String> names = new TreeSet<>(WITHOUT_REGISTER);
        ClassLoader loader = Thread.currentThread().getContextClassLoader();
        if (loader == null) loader = DataSourceRegister.class.getClassLoader();
        Iterator<DataSourceRegister> found = ServiceLoader.load(DataSourceRegister.class, loader).iterator();
        while (true) {
            try {
                if (!found.hasNext()) break;
                names.add(found.next().shortName());
            } catch (ServiceConfigurationError | LinkageError e) {
                // a registered source whose classes are missing: Spark skips it too
            }
        }
        return new ArrayList<>(names);
    }

    /** The known name nearest to what was typed, or null when none is near enough to be a typo of it. */
    public static String nearest(String typed, List<String> known) {
        String wanted = typed.toLowerCase(Locale.ROOT);
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (String name : known) {
            int d = distance(wanted, name.toLowerCase(Locale.ROOT));
            if (d < bestDistance) {
                best = name;
                bestDistance = d;
            }
        }
        // a typo changes a letter or two; a short name changed more is another word
        int allowed = wanted.length() <= 4 ? 1 : 2;
        return bestDistance <= allowed ? best : null;
    }

    /** Levenshtein distance: letters inserted, deleted or replaced to turn a into b. */
    static int distance(String a, String b) {
        int[] previous = new int[b.length() + 1];
        int[] row = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) previous[j] = j;
        for (int i = 1; i <= a.length(); i++) {
            row[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int replace = previous[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
                row[j] = Math.min(replace, Math.min(previous[j] + 1, row[j - 1] + 1));
            }
            int[] swap = previous;
            previous = row;
            row = swap;
        }
        return previous[b.length()];
    }
}
