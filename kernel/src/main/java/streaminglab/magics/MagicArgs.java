package streaminglab.magics;

import streaminglab.language.Messages;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A magic's arguments: words split like a shell splits them (quotes keep spaces), then
 * options ({@code --name value} or {@code --flag}) apart from positional words.
 */
public final class MagicArgs {
    private final String raw;
    private final List<String> words;
    private final List<String> positional = new ArrayList<>();
    private final Map<String, String> options = new LinkedHashMap<>();

    private MagicArgs(String raw, List<String> words) {
        this.raw = raw;
        this.words = words;
    }

    public static MagicArgs parse(String raw) {
        return new MagicArgs(raw, split(raw));
    }

    /** The arguments as typed. */
    public String raw() {
        return raw;
    }

    public List<String> words() {
        return words;
    }

    /**
     * Separates options from positional words. valued: options that take a value; flags: options
     * that do not. Anything else starting with -- is a usage error.
     */
    public MagicArgs accept(Set<String> valued, Set<String> flags, String usage) throws UsageError {
        positional.clear();
        options.clear();
        for (int i = 0; i < words.size(); i++) {
            String w = words.get(i);
            if (w.startsWith("--") && w.length() > 2) {
                String name = w.substring(2);
                String value = null;
                int eq = name.indexOf('=');
                if (eq >= 0) {
                    value = name.substring(eq + 1);
                    name = name.substring(0, eq);
                }
                if (valued.contains(name)) {
                    if (value == null) {
                        if (i + 1 >= words.size()) throw new UsageError(Messages.text("magic.option.needs_value", name), usage);
                        value = words.get(++i);
                    }
                    options.put(name, value);
                } else if (flags.contains(name)) {
                    if (value != null) throw new UsageError(Messages.text("magic.option.takes_no_value", name), usage);
                    options.put(name, "true");
                } else {
                    throw new UsageError(Messages.text("magic.option.unknown", name), usage);
                }
            } else {
                positional.add(w);
            }
        }
        return this;
    }

    public List<String> positional() {
        return positional;
    }

    public boolean has(String option) {
        return options.containsKey(option);
    }

    public String option(String option, String fallback) {
        return options.getOrDefault(option, fallback);
    }

    /** A count: a whole-number option within [min, max]; a wrong value is a usage error that names it. */
    public int intOption(String option, int fallback, int min, int max, String usage) throws UsageError {
        return (int) longOption(option, fallback, min, max, usage);
    }

    /** A count that may be large: 1000000, 1_000_000 and 1,000,000 read the same. */
    public long longOption(String option, long fallback, long min, long max, String usage) throws UsageError {
        String value = options.get(option);
        if (value == null) return fallback;
        long n;
        try {
            n = Long.parseLong(value.trim().replace("_", "").replace(",", ""));
        } catch (NumberFormatException e) {
            throw new UsageError(Messages.text("magic.option.whole_number", option, value), usage);
        }
        if (n < min || n > max) throw new UsageError(Messages.text("magic.option.range", option, min, max, n), usage);
        return n;
    }

    /** A rate: N things a second, written N, N/s, N/sec or N/second; N may have a fraction (2.5/s). */
    private static final Pattern RATE = Pattern.compile("(\\d+(?:\\.\\d+)?)\\s*(?:/\\s*s(?:ec(?:ond)?)?)?");

    /**
     * A rate option above 0 and at most max a second. things: what is counted, in the catalogue's words
     * ("lines", "records"), for the error that says how to write it.
     */
    public double rateOption(String option, double fallback, double max, String things, String usage) throws UsageError {
        String value = options.get(option);
        if (value == null) return fallback;
        Matcher m = RATE.matcher(value.trim());
        if (!m.matches()) {
            boolean otherUnit = value.contains("/");
            throw new UsageError(Messages.text("magic.option.bad_rate", option, things, value,
                    otherUnit ? Messages.text("magic.option.bad_rate.unit") : "."), usage);
        }
        double rate = Double.parseDouble(m.group(1));
        if (rate <= 0 || rate > max) {
            throw new UsageError(Messages.text("magic.option.rate_range", option, number(max), value.trim()), usage);
        }
        return rate;
    }

    /** A duration in seconds: N or Ns, Nm (minutes), Nh (hours); within [min, max] seconds. */
    private static final Pattern DURATION = Pattern.compile("(\\d+)\\s*(s|sec|m|min|h)?");

    public int secondsOption(String option, int fallback, int min, int max, String usage) throws UsageError {
        String value = options.get(option);
        if (value == null) return fallback;
        Matcher m = DURATION.matcher(value.trim().toLowerCase(java.util.Locale.ROOT));
        long seconds;
        try {
            if (!m.matches()) throw new NumberFormatException(value);
            long n = Long.parseLong(m.group(1));
            String unit = m.group(2) == null ? "s" : m.group(2);
            seconds = unit.startsWith("h") ? n * 3600 : unit.startsWith("m") ? n * 60 : n;
        } catch (NumberFormatException e) {
            throw new UsageError(Messages.text("magic.option.duration", option, value), usage);
        }
        if (seconds < min || seconds > max) {
            throw new UsageError(Messages.text("magic.option.range", option, min, max, seconds), usage);
        }
        return (int) seconds;
    }

    /** 100000 rather than 100000.0; 2.5 as it is. */
    private static String number(double v) {
        return v == Math.rint(v) ? String.valueOf((long) v) : String.valueOf(v);
    }

    static List<String> split(String raw) {
        List<String> out = new ArrayList<>();
        StringBuilder word = new StringBuilder();
        boolean inWord = false;
        char quote = 0;
        for (int i = 0; i < raw.length(); i++) {
            char c = raw.charAt(i);
            if (quote != 0) {
                if (c == quote) quote = 0;
                else word.append(c);
            } else if (c == '"' || c == '\'') {
                quote = c;
                inWord = true;
            } else if (Character.isWhitespace(c)) {
                if (inWord) out.add(word.toString());
                word.setLength(0);
                inWord = false;
            } else {
                word.append(c);
                inWord = true;
            }
        }
        if (inWord) out.add(word.toString());
        return out;
    }
}
