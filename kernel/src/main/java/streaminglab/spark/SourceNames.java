package streaminglab.spark;

import streaminglab.language.Spelling;
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
            int d = Spelling.distance(wanted, name.toLowerCase(Locale.ROOT));
            if (d < bestDistance) {
                best = name;
                bestDistance = d;
            }
        }
        // a typo changes a letter or two; a short name changed more is another word
        int allowed = wanted.length() <= 4 ? 1 : 2;
        return bestDistance <= allowed ? best : null;
    }
}
