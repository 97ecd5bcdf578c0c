package streaminglab.magics;

import streaminglab.language.Messages;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

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

    /** A whole-number option within [min, max]; a wrong value is a usage error that names it. */
    public int intOption(String option, int fallback, int min, int max, String usage) throws UsageError {
        String value = options.get(option);
        if (value == null) return fallback;
        try {
            int n = Integer.parseInt(value.trim());
            if (n < min || n > max) {
                throw new UsageError(Messages.text("magic.option.range", option, min, max, n), usage);
            }
            return n;
        } catch (NumberFormatException e) {
            throw new UsageError(Messages.text("magic.option.whole_number", option, value), usage);
        }
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
