package streaminglab.spark;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The source names Spark knows on the kernel's class path, and the one a typo was meant to be. */
class SourceNamesTest {
    private final List<String> known = SourceNames.known();

    @Test
    void theNamesComeFromSparksRegisteredSourcesAndTheMemorySink() {
        for (String name : List.of("socket", "rate", "kafka", "console", "parquet", "csv", "json", "text", "memory")) {
            assertTrue(known.contains(name), name + " in " + known);
        }
    }

    @Test
    void aTypoGetsTheNameItWasMeantToBe() {
        assertEquals("socket", SourceNames.nearest("sockt", known));
        assertEquals("kafka", SourceNames.nearest("kafak", known));
        assertEquals("console", SourceNames.nearest("consle", known));
        assertEquals("csv", SourceNames.nearest("CSV", known)); // Spark reads names in any case
    }

    @Test
    void aNameFarFromEveryKnownOneGetsNone() {
        assertNull(SourceNames.nearest("zzz", known));
        assertNull(SourceNames.nearest("deltalake", known));
    }
}
