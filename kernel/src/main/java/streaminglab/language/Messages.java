package streaminglab.language;

import java.util.Locale;
import java.util.MissingResourceException;
import java.util.ResourceBundle;

/**
 * What the kernel says to a student, in the notebook's language: one catalogue per language
 * ({@code messages.properties}, {@code messages_ko.properties} beside this class). A kernel serves one
 * notebook, so the language is chosen once, when the kernel starts ({@link #use}).
 *
 * <p>Placeholders are {@code {0}}, {@code {1}}, ... replaced as they are (no MessageFormat quoting, so an
 * apostrophe is just an apostrophe). A key missing from a language falls back to English.
 */
public final class Messages {
    private static final String BUNDLE = "streaminglab.language.messages";
    private static final ResourceBundle.Control NO_FALLBACK =
            ResourceBundle.Control.getNoFallbackControl(ResourceBundle.Control.FORMAT_PROPERTIES);
    private static final ResourceBundle ENGLISH = ResourceBundle.getBundle(BUNDLE, Locale.ROOT, NO_FALLBACK);

    private static volatile Locale language = Locale.ENGLISH;
    private static volatile ResourceBundle catalogue = ENGLISH;

    private Messages() {
    }

    /** Speaks this language from now on (English when the lab has no catalogue for it). */
    public static void use(Locale locale) {
        ResourceBundle bundle = ENGLISH;
        try {
            ResourceBundle found = ResourceBundle.getBundle(BUNDLE, locale, NO_FALLBACK);
            if (found.getLocale().getLanguage().equals(locale.getLanguage())) bundle = found;
        } catch (MissingResourceException ignored) {
            // no catalogue for it: English
        }
        catalogue = bundle;
        language = bundle == ENGLISH ? Locale.ENGLISH : locale;
    }

    /** The language the kernel speaks. */
    public static Locale language() {
        return language;
    }

    /** True when the kernel speaks the language with this tag ("ko", "en"). */
    public static boolean speaks(String tag) {
        return language.getLanguage().equals(Locale.forLanguageTag(tag).getLanguage());
    }

    /** The message with this key, its placeholders filled. */
    public static String text(String key, Object... args) {
        String pattern;
        if (catalogue.containsKey(key)) pattern = catalogue.getString(key);
        else if (ENGLISH.containsKey(key)) pattern = ENGLISH.getString(key);
        else throw new IllegalArgumentException("no message " + key + " in the lab's catalogue");
        return fill(pattern, args);
    }

    static String fill(String pattern, Object... args) {
        String out = pattern;
        for (int i = 0; i < args.length; i++) out = out.replace("{" + i + "}", String.valueOf(args[i]));
        return out;
    }
}
