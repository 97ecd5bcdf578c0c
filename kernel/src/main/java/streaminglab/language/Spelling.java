package streaminglab.language;

/**
 * How far apart two names are, for "did you mean …?": a mistyped magic (MagicRegistry) or source (SourceNames).
 * Each keeps its own rule for what is near enough; the measure is one.
 */
public final class Spelling {
    private Spelling() {
    }

    /** Levenshtein distance: letters inserted, deleted or replaced to turn a into b. */
    public static int distance(String a, String b) {
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
