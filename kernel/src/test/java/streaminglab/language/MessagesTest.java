package streaminglab.language;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class MessagesTest {
    private static final Pattern PLACEHOLDER = Pattern.compile("\\{\\d+}");

    private static Properties catalogue(String name) throws IOException {
        Properties p = new Properties();
        try (InputStream in = Messages.class.getResourceAsStream(name)) {
            assertTrue(in != null, "no catalogue " + name);
            p.load(new InputStreamReader(in, StandardCharsets.UTF_8));
        }
        return p;
    }

    private static Set<String> placeholders(String text) {
        Set<String> found = new TreeSet<>();
        Matcher m = PLACEHOLDER.matcher(text);
        while (m.find()) found.add(m.group());
        return found;
    }

    @AfterEach
    void backToEnglish() {
        Messages.use(Locale.ENGLISH);
    }

    @Test
    void everyEnglishMessageHasAKoreanOneWithTheSamePlaceholders() throws IOException {
        Properties english = catalogue("messages.properties");
        Properties korean = catalogue("messages_ko.properties");
        assertTrue(!english.isEmpty());
        for (String key : english.stringPropertyNames()) {
            String ko = korean.getProperty(key);
            assertTrue(ko != null, "no Korean message for " + key);
            assertEquals(placeholders(english.getProperty(key)), placeholders(ko), "placeholders of " + key);
            assertTrue(ko.chars().anyMatch(c -> c >= 0xAC00 && c <= 0xD7A3) || ko.equals(english.getProperty(key)),
                    "the Korean message for " + key + " has no Korean in it: " + ko);
        }
        for (String key : korean.stringPropertyNames()) {
            assertTrue(english.containsKey(key), "a Korean message with no English one: " + key);
        }
    }

    /** A key's literal in the kernel's sources, or a prefix the code completes ("liveview.state." + state). */
    private static final Pattern KEY_LITERAL = Pattern.compile("\"([a-z_]+(?:\\.[a-z_]+)*\\.?)\"");

    @Test
    void everyMessageInTheCatalogueIsSaidSomewhere() throws IOException {
        Set<String> literals = new TreeSet<>();
        try (Stream<Path> files = Files.walk(Path.of("src/main/java"))) {
            for (Path f : files.filter(p -> p.toString().endsWith(".java")).toList()) {
                Matcher m = KEY_LITERAL.matcher(Files.readString(f));
                while (m.find()) literals.add(m.group(1));
            }
        }
        assertTrue(literals.contains("check.passed"), "the scan found no message keys in src/main/java");
        for (String key : catalogue("messages.properties").stringPropertyNames()) {
            boolean said = literals.contains(key)
                    || literals.stream().anyMatch(l -> l.endsWith(".") && key.startsWith(l) && key.indexOf('.', l.length()) < 0);
            assertTrue(said, "no source says the message " + key + ": remove it from the catalogues, or use it");
        }
    }

    @Test
    void theKernelSpeaksTheLanguageItIsToldAndFallsBackToEnglish() {
        Messages.use(Locale.forLanguageTag("ko"));
        assertTrue(Messages.speaks("ko"));
        assertTrue(Messages.text("course.missing", "data/x", "/tmp/data/x").contains("/tmp/data/x"));
        assertTrue(Messages.text("course.missing", "a", "b").chars().anyMatch(c -> c >= 0xAC00 && c <= 0xD7A3));
        Messages.use(Locale.forLanguageTag("fr")); // no French catalogue
        assertTrue(Messages.speaks("en"));
        assertEquals("The course has no data/x (looked for /tmp/data/x).", Messages.text("course.missing", "data/x", "/tmp/data/x"));
    }

    @Test
    void placeholdersAreFilledAsTheyAreWithoutMessageFormatQuoting() {
        assertEquals("it's 3 of 4", Messages.fill("it's {0} of {1}", 3, 4));
    }
}
