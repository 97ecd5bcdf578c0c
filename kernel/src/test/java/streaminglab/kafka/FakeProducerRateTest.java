package streaminglab.kafka;

import org.junit.jupiter.api.Test;
import streaminglab.magics.MagicArgs;
import streaminglab.magics.UsageError;

import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** `%kafka produce TOPIC --fake people --rate 100/s`: how the rate is read (the grammar of every magic's rate). */
class FakeProducerRateTest {
    private static double rate(String value) throws UsageError {
        MagicArgs args = MagicArgs.parse(value == null ? "produce t" : "produce t --rate '" + value + "'")
                .accept(Set.of("rate"), Set.of(), "usage");
        return KafkaMagic.rate(args);
    }

    @Test
    void aRateIsRecordsASecondWrittenInAnyOfItsUsualForms() throws UsageError {
        assertEquals(100.0, rate("100/s"));
        assertEquals(100.0, rate("100"));
        assertEquals(100.0, rate(" 100 / sec "));
        assertEquals(2.5, rate("2.5/second"));
        assertEquals(10_000_000.0, rate("10000000/s"));
    }

    @Test
    void noRateMeansAsFastAsItCan() throws UsageError {
        assertEquals(0.0, rate(null));
    }

    @Test
    void aRateInAnotherUnitOrNotANumberIsRefusedWithTheFormItWants() {
        for (String bad : List.of("100/m", "fast", "-5/s", "1e3", "")) {
            UsageError e = assertThrows(UsageError.class, () -> rate(bad));
            assertTrue(e.getMessage().startsWith("--rate is records a second, written N/s or N"), e.getMessage());
            assertTrue(e.getMessage().contains("'" + bad + "' is not that"), e.getMessage());
            assertTrue(e.usage().contains("--rate"), e.usage());
        }
    }

    @Test
    void aRateOfZeroOrPastTheLimitIsRefused() {
        for (String bad : List.of("0/s", "0.0", "10000001/s")) {
            UsageError e = assertThrows(UsageError.class, () -> rate(bad));
            assertEquals("--rate must be above 0/s and at most 10000000/s, not " + bad + ".", e.getMessage());
        }
    }
}
