package streaminglab.socket;

import org.junit.jupiter.api.Test;
import streaminglab.magics.MagicArgs;
import streaminglab.magics.UsageError;

import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** `%socket feed FILE --rate 5/s`: lines a second, in the grammar every magic's rate has, and the mistakes a student makes. */
class SocketFeedRateTest {
    private static double rate(String value) throws UsageError {
        MagicArgs args = MagicArgs.parse(value == null ? "feed f" : "feed f --rate '" + value + "'")
                .accept(Set.of("rate"), Set.of(), "%socket usage");
        return SocketMagic.linesPerSecond(args, "%socket usage");
    }

    @Test
    void aRateIsLinesASecondWithOrWithoutPerSecondAndMayHaveAFraction() throws UsageError {
        assertEquals(5, rate("5/s"));
        assertEquals(5, rate("5"));
        assertEquals(5, rate(" 5/s "));
        assertEquals(5, rate("5/sec"));
        assertEquals(2.5, rate("2.5"));
        assertEquals(100_000, rate("100000/s"));
        assertEquals(5, rate(null), "5 lines a second when --rate is not given");
    }

    @Test
    void anotherUnitIsRefusedNotGuessed() {
        UsageError e = assertThrows(UsageError.class, () -> rate("5/min"));
        assertEquals("--rate is lines a second, written N/s or N (a fraction too, as 2.5/s): --rate 5/s is 5 lines a second. "
                + "'5/min' is not that; only /s (or /sec) is understood.", e.getMessage());
        assertTrue(e.usage().startsWith("%socket"), e.usage());
    }

    @Test
    void wordsAndNegativesAreNotARate() {
        for (String bad : new String[]{"fast", "-1/s", "", "1e3"}) {
            UsageError e = assertThrows(UsageError.class, () -> rate(bad));
            assertTrue(e.getMessage().startsWith("--rate is lines a second"), e.getMessage());
        }
    }

    @Test
    void aRateOutsideItsBoundsIsRefusedWithThem() {
        for (String bad : new String[]{"0/s", "100001/s", "99999999999999999999999/s"}) {
            UsageError e = assertThrows(UsageError.class, () -> rate(bad));
            assertEquals("--rate must be above 0/s and at most 100000/s, not " + bad + ".", e.getMessage());
        }
    }
}
