package streaminglab.kafka;

import org.junit.jupiter.api.Test;
import streaminglab.magics.UsageError;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** `%kafka produce TOPIC --fake people --rate 100/s`: how the rate is read. */
class FakeProducerRateTest {

    @Test
    void aRateIsRecordsASecondWrittenInAnyOfItsUsualForms() throws UsageError {
        assertEquals(100.0, KafkaMagic.rate("100/s"));
        assertEquals(100.0, KafkaMagic.rate("100"));
        assertEquals(100.0, KafkaMagic.rate(" 100 / sec "));
        assertEquals(2.5, KafkaMagic.rate("2.5/second"));
        assertEquals(10_000_000.0, KafkaMagic.rate("10000000/s"));
    }

    @Test
    void noRateMeansAsFastAsItCan() throws UsageError {
        assertEquals(0.0, KafkaMagic.rate(null));
    }

    @Test
    void aRateInAnotherUnitOrNotANumberIsRefusedWithTheFormItWants() {
        for (String bad : List.of("100/m", "fast", "-5/s", "1e3", "")) {
            UsageError e = assertThrows(UsageError.class, () -> KafkaMagic.rate(bad));
            assertEquals("--rate needs records per second like 100/s, not '" + bad + "'.", e.getMessage());
            assertTrue(e.usage().contains("--rate"), e.usage());
        }
    }

    @Test
    void aRateOfZeroOrPastTheLimitIsRefused() {
        for (String bad : List.of("0/s", "0.0", "10000001/s")) {
            UsageError e = assertThrows(UsageError.class, () -> KafkaMagic.rate(bad));
            assertEquals("--rate must be above 0 and at most 10000000/s, not " + bad + ".", e.getMessage());
        }
    }
}
