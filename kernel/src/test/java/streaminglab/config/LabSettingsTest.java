package streaminglab.config;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Locale;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The lab's settings read from a given environment: defaults, overrides, and what a bad value says. */
class LabSettingsTest {
    @TempDir
    Path dir;

    private static LabSettings with(String... pairs) {
        Map<String, String> env = new java.util.HashMap<>();
        for (int i = 0; i < pairs.length; i += 2) env.put(pairs[i], pairs[i + 1]);
        return new LabSettings(env);
    }

    @Test
    void withNothingSetTheLabRunsOnThisMachineOnLoopback() {
        LabSettings s = with();
        assertEquals("local[*]", s.sparkMaster());
        assertTrue(s.isLocalMaster());
        assertEquals(3, s.shufflePartitions());
        assertEquals(4040, s.uiPort());
        assertEquals("127.0.0.1", s.bindAddress());
        assertEquals("127.0.0.1", s.sparkUiAddress());
        assertEquals("127.0.0.1", s.kafkaHost());
        assertEquals("127.0.0.1", s.driverHost());
        assertEquals(9092, s.kafkaPort());
        assertEquals(9093, s.kafkaControllerPort(9092));
        assertEquals(20, s.maxRows());
        assertEquals(2_000_000L, s.cellOutputLimitBytes());
        assertEquals(250L, s.liveViewIntervalMs());
        assertEquals("/", s.jupyterBaseUrl());
        assertNull(s.kafkaBootstrapServers());
        assertNull(s.language());
        assertNull(s.checksDir());
        assertEquals(Paths.get(System.getProperty("user.home"), ".spark-streaming-lab"), s.labHome());
        assertEquals(s.labHome().resolve("kafka"), s.kafkaDataDir());
        assertEquals(s.labHome().resolve("logs"), s.logDir());
    }

    @Test
    void theEnvironmentOverridesEachDefaultAndBlanksAroundAValueDoNotCount() {
        LabSettings s = with("SPARK_LAB_HOME", "/srv/lab", "SPARK_LAB_MAX_ROWS", " 50 ", "SPARK_LAB_KAFKA_PORT", "19092",
                "SPARK_LAB_CELL_OUTPUT_MB", "0.5", "SPARK_MASTER", "spark://master:7077",
                "KAFKA_BOOTSTRAP_SERVERS", " broker:9092 ", "JUPYTERHUB_SERVICE_PREFIX", "user/ann");
        assertEquals(Paths.get("/srv/lab"), s.labHome());
        assertEquals(Paths.get("/srv/lab/cell-output"), s.cellOutputDir());
        assertEquals(50, s.maxRows());
        assertEquals(19092, s.kafkaPort());
        assertEquals(19093, s.kafkaControllerPort(s.kafkaPort()));
        assertEquals(500_000L, s.cellOutputLimitBytes());
        assertFalse(s.isLocalMaster());
        assertEquals("broker:9092", s.kafkaBootstrapServers());
        assertEquals("/user/ann/", s.jupyterBaseUrl());
    }

    @Test
    void aBlankValueIsTheSameAsUnset() {
        LabSettings s = with("SPARK_LAB_MAX_ROWS", "  ", "SPARK_LAB_HOME", "", "KAFKA_BOOTSTRAP_SERVERS", " ",
                "SPARK_LAB_LANGUAGE", "");
        assertEquals(20, s.maxRows());
        assertEquals(Paths.get(System.getProperty("user.home"), ".spark-streaming-lab"), s.labHome());
        assertNull(s.kafkaBootstrapServers());
        assertNull(s.language());
    }

    @Test
    void aBadNumberNamesTheVariableAndTheValue() {
        NumberFormatException rows = assertThrows(NumberFormatException.class,
                () -> with("SPARK_LAB_MAX_ROWS", "twenty").maxRows());
        assertEquals("SPARK_LAB_MAX_ROWS must be a whole number, not 'twenty'.", rows.getMessage());
        NumberFormatException port = assertThrows(NumberFormatException.class,
                () -> with("SPARK_LAB_KAFKA_PORT", "9092.5").kafkaPort());
        assertEquals("SPARK_LAB_KAFKA_PORT must be a whole number, not '9092.5'.", port.getMessage());
        NumberFormatException interval = assertThrows(NumberFormatException.class,
                () -> with("SPARK_LAB_LIVE_VIEW_INTERVAL_MS", "1s").liveViewIntervalMs());
        assertEquals("SPARK_LAB_LIVE_VIEW_INTERVAL_MS must be a whole number, not '1s'.", interval.getMessage());
        NumberFormatException output = assertThrows(NumberFormatException.class,
                () -> with("SPARK_LAB_CELL_OUTPUT_MB", "2MB").cellOutputLimitBytes());
        assertEquals("SPARK_LAB_CELL_OUTPUT_MB must be a number, not '2MB'.", output.getMessage());
    }

    @Test
    void theDriverHostIsLeftToSparkWhenTheLabBindsEveryAddress() {
        assertNull(with("SPARK_LAB_BIND_ADDRESS", "0.0.0.0").driverHost());
        assertNull(with("SPARK_LAB_BIND_ADDRESS", "::").driverHost());
        assertEquals("10.0.0.5", with("SPARK_LAB_BIND_ADDRESS", "10.0.0.5").driverHost());
        assertEquals("lab", with("SPARK_LAB_BIND_ADDRESS", "0.0.0.0", "SPARK_LAB_DRIVER_HOST", "lab").driverHost());
    }

    @Test
    void theNotebookFolderComesFromJupytersSessionName() throws IOException {
        Path notebook = Files.writeString(Files.createDirectories(dir.resolve("ko")).resolve("01-intro.ipynb"), "{}");
        assertEquals(dir.resolve("ko"), with("JPY_SESSION_NAME", notebook.toString()).notebookDir());
        assertEquals(dir, with("JPY_SESSION_NAME", " " + dir + " ").notebookDir());
    }

    @Test
    void aRelativeSessionNameIsFromTheStartFolder() {
        Path cwd = Paths.get(System.getProperty("user.dir"));
        assertTrue(Files.isDirectory(cwd.resolve("src")), "the tests run in the kernel module's folder");
        assertEquals(cwd.resolve("src"), with("JPY_SESSION_NAME", "src").notebookDir());
    }

    @Test
    void withoutASessionNameOrWithOneThatIsNoPathTheNotebookFolderIsTheStartFolder() {
        Path cwd = Paths.get(System.getProperty("user.dir"));
        assertEquals(cwd, with().notebookDir());
        assertEquals(cwd, with("JPY_SESSION_NAME", "console-3f2a").notebookDir());
    }

    @Test
    void theLanguageIsSparkLabLanguageWhenSet() {
        assertEquals(Locale.KOREAN, with("SPARK_LAB_LANGUAGE", "ko").language());
        assertEquals(Locale.forLanguageTag("en"), with("SPARK_LAB_LANGUAGE", " en ").language());
    }
}
