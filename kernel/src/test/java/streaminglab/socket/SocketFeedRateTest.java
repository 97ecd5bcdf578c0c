package streaminglab.socket;

import org.junit.jupiter.api.Test;
import streaminglab.magics.UsageError;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** `%socket feed FILE --rate 5/s`: lines a second, and the mistakes a student makes writing it. */
class SocketFeedRateTest {

    @Test
    void aRateIsLinesASecondWithOrWithoutPerSecond() throws UsageError {
        assertEquals(5, SocketMagic.linesPerSecond("5/s"));
        assertEquals(5, SocketMagic.linesPerSecond("5"));
        assertEquals(5, SocketMagic.linesPerSecond(" 5/s "));
        assertEquals(1, SocketMagic.linesPerSecond("1/s"));
        assertEquals(100_000, SocketMagic.linesPerSecond("100000/s"));
    }

    @Test
    void anotherUnitIsRefusedNotGuessed() {
        UsageError e = assertThrows(UsageError.class, () -> SocketMagic.linesPerSecond("5/min"));
        assertEquals("--rate is lines a second, written N/s (or N): --rate 5/s sends 5 lines a second. "
                + "'5/min' is not that; only /s is understood.", e.getMessage());
        assertTrue(e.usage().startsWith("%socket"), e.usage());
    }

    @Test
    void wordsAndFractionsAreNotARate() {
        for (String bad : new String[]{"fast", "2.5/s", "-1/s", ""}) {
            UsageError e = assertThrows(UsageError.class, () -> SocketMagic.linesPerSecond(bad));
            assertTrue(e.getMessage().startsWith("--rate is lines a second"), e.getMessage());
        }
    }

    @Test
    void aRateOutsideOneTo100000IsRefusedWithTheBounds() {
        for (String bad : new String[]{"0/s", "100001/s", "99999999999999999999999/s"}) {
            UsageError e = assertThrows(UsageError.class, () -> SocketMagic.linesPerSecond(bad));
            assertEquals("--rate must be between 1/s and 100000/s, not " + bad + ".", e.getMessage());
        }
    }
}
