package streaminglab.course;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * The course a notebook belongs to: the folder that holds {@code course.json} (the lab's
 * {@code notebooks/}, the image's home folder, or a student's copy of either), found by walking up from
 * the notebook's own folder. Lessons name their input through it ({@code courseFile("data/clicks")}), so
 * a lesson runs the same in {@code notebooks/} and in an edition's folder such as {@code notebooks/ko/},
 * whatever folder the kernel was started in.
 *
 * <pre>
 * {"title": "...", "language": "en", "editions": {"ko": "ko"}}
 * </pre>
 * {@code editions} maps a language to the folder of its edition; a notebook in that folder (or below it)
 * speaks that language, any other notebook the course's own.
 */
public final class Course {
    public static final String FILE = "course.json";

    private final Path root;
    private final Locale language;
    private final Map<Path, Locale> editions;

    private Course(Path root, Locale language, Map<Path, Locale> editions) {
        this.root = root;
        this.language = language;
        this.editions = editions;
    }

    /** The course whose folder holds notebookDir (itself or an ancestor), or null when there is none. */
    public static Course around(Path notebookDir) {
        for (Path dir = notebookDir.toAbsolutePath().normalize(); dir != null; dir = dir.getParent()) {
            Path file = dir.resolve(FILE);
            if (Files.isRegularFile(file)) return read(file);
        }
        return null;
    }

    static Course read(Path file) {
        JsonObject json;
        try {
            json = JsonParser.parseString(Files.readString(file, StandardCharsets.UTF_8)).getAsJsonObject();
        } catch (IOException | RuntimeException e) {
            throw new IllegalStateException(file + " is not a course file the lab can read: " + e.getMessage(), e);
        }
        Path root = file.getParent();
        Locale language = Locale.forLanguageTag(json.has("language") ? json.get("language").getAsString() : "en");
        Map<Path, Locale> editions = new LinkedHashMap<>();
        if (json.has("editions")) {
            for (Map.Entry<String, JsonElement> e : json.getAsJsonObject("editions").entrySet()) {
                editions.put(root.resolve(e.getValue().getAsString()).normalize(), Locale.forLanguageTag(e.getKey()));
            }
        }
        return new Course(root, language, editions);
    }

    /** The course's folder. */
    public Path root() {
        return root;
    }

    /** The language of the edition a notebook in this folder belongs to. */
    public Locale languageAt(Path notebookDir) {
        Path dir = notebookDir.toAbsolutePath().normalize();
        for (Map.Entry<Path, Locale> e : editions.entrySet()) {
            if (dir.startsWith(e.getKey())) return e.getValue();
        }
        return language;
    }

    /**
     * A file or folder the course ships (data/clicks, app/pom.xml, exercises/checks/x.jsh), as an
     * absolute path; an error that says what is missing when it is not there.
     */
    public Path file(String relative) {
        Path path = root.resolve(relative).normalize();
        if (!path.startsWith(root)) throw new IllegalArgumentException(relative + " is outside the course folder " + root);
        return path;
    }
}
