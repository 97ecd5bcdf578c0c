package streaminglab.course;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

class CourseTest {
    @TempDir
    Path dir;

    private Path course() throws IOException {
        Files.writeString(dir.resolve("course.json"), "{\"language\": \"en\", \"editions\": {\"ko\": \"ko\"}}");
        Files.createDirectories(dir.resolve("ko/exercises"));
        Files.createDirectories(dir.resolve("exercises"));
        Files.createDirectories(dir.resolve("data/clicks"));
        return dir;
    }

    @Test
    void aLessonInAnEditionFolderFindsTheCourseAboveItAndSpeaksItsLanguage() throws IOException {
        Path root = course();
        Course course = Course.around(root.resolve("ko/exercises"));
        assertEquals(root.toAbsolutePath().normalize(), course.root());
        assertEquals(Locale.forLanguageTag("ko"), course.languageAt(root.resolve("ko/exercises")));
        assertEquals(root.resolve("data/clicks").toAbsolutePath().normalize(), course.file("data/clicks"));
    }

    @Test
    void aLessonOutsideEveryEditionSpeaksTheCoursesLanguage() throws IOException {
        Path root = course();
        Course course = Course.around(root.resolve("exercises"));
        assertEquals(Locale.forLanguageTag("en"), course.languageAt(root.resolve("exercises")));
        // a folder whose name only starts like an edition's is not in it
        assertEquals(Locale.forLanguageTag("en"), course.languageAt(root.resolve("kool")));
    }

    @Test
    void aNotebookOutsideAnyCourseHasNone() throws IOException {
        Path lonely = Files.createDirectories(dir.resolve("somewhere/else"));
        // the temporary folder's ancestors hold no course.json on a test machine
        assertNull(Course.around(lonely));
    }

    @Test
    void aPathThatLeavesTheCourseFolderIsRefused() throws IOException {
        Course course = Course.around(course());
        assertThrows(IllegalArgumentException.class, () -> course.file("../outside.txt"));
    }

    @Test
    void aBrokenCourseFileSaysWhichFile() throws IOException {
        Files.writeString(dir.resolve("course.json"), "{not json");
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> Course.around(dir));
        assertEquals(true, e.getMessage().contains("course.json"), e.getMessage());
    }
}
