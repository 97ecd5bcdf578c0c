package streaminglab.magics;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** How a magic's line is read: `%kafka produce-fake clicks --rate 100/s --loop` and its mistakes. */
class MagicArgsTest {
    private static final String USAGE = "%feed FILE [--rate N/s] [--port PORT] [--loop]";
    private static final Set<String> VALUED = Set.of("rate", "port", "count", "timeout");
    private static final Set<String> FLAGS = Set.of("loop");

    private static MagicArgs accepted(String line) throws UsageError {
        return MagicArgs.parse(line).accept(VALUED, FLAGS, USAGE);
    }

    @Test
    void wordsSplitAtBlanksAndQuotesKeepSpaces() {
        assertEquals(List.of("feed", "my file.txt", "it's", "a b"),
                MagicArgs.parse("  feed \"my file.txt\"   \"it's\" 'a b' ").words());
        assertEquals(List.of("", "x"), MagicArgs.parse("'' x").words()); // an empty quoted word is still a word
        assertEquals(List.of(), MagicArgs.parse("   ").words());
        assertEquals("  feed \"my file.txt\"", MagicArgs.parse("  feed \"my file.txt\"").raw());
    }

    @Test
    void optionsWithValuesFlagsAndPositionalWordsAreApart() throws UsageError {
        MagicArgs args = accepted("feed clicks.txt --rate 10/s --loop --port=9998");
        assertEquals(List.of("feed", "clicks.txt"), args.positional());
        assertEquals("10/s", args.option("rate", "5/s"));
        assertEquals("9998", args.option("port", "9999"));
        assertTrue(args.has("loop"));
    }

    @Test
    void anOptionNotGivenFallsBackToItsDefault() throws UsageError {
        MagicArgs args = accepted("feed clicks.txt");
        assertFalse(args.has("loop"));
        assertFalse(args.has("rate"));
        assertEquals("5/s", args.option("rate", "5/s"));
        assertEquals(9999, args.intOption("port", 9999, 1, 65535, USAGE));
    }

    @Test
    void aValueMayBeQuotedAndMayLookLikeAnOption() throws UsageError {
        assertEquals("a b", accepted("x --rate 'a b'").option("rate", null));
        // the word after a valued option is its value, whatever it looks like
        assertEquals("--loop", accepted("x --rate --loop").option("rate", null));
        assertEquals("", accepted("x --rate=").option("rate", null));
    }

    @Test
    void anUnknownOptionIsAUsageErrorThatNamesItAndCarriesTheUsage() {
        UsageError e = assertThrows(UsageError.class, () -> accepted("feed x --speed 3"));
        assertEquals("Unknown option --speed.", e.getMessage());
        assertEquals(USAGE, e.usage());
    }

    @Test
    void aMissingValueIsAUsageError() {
        UsageError e = assertThrows(UsageError.class, () -> accepted("feed x --rate"));
        assertEquals("--rate needs a value.", e.getMessage());
    }

    @Test
    void aFlagGivenAValueIsAUsageError() {
        UsageError e = assertThrows(UsageError.class, () -> accepted("feed x --loop=yes"));
        assertEquals("--loop takes no value.", e.getMessage());
    }

    @Test
    void aLoneDoubleDashAndSingleDashWordsArePositional() throws UsageError {
        assertEquals(List.of("--", "-5", "-x"), accepted("-- -5 -x").positional());
    }

    @Test
    void acceptingAgainStartsAfresh() throws UsageError {
        MagicArgs args = MagicArgs.parse("one --loop");
        args.accept(VALUED, FLAGS, USAGE);
        args.accept(VALUED, Set.of("loop"), USAGE);
        assertEquals(List.of("one"), args.positional());
    }

    @Test
    void aWholeNumberOptionIsCheckedAgainstItsRange() throws UsageError {
        assertEquals(9998, accepted("x --port 9998").intOption("port", 1, 1, 65535, USAGE));
        assertEquals(9998, accepted("x --port ' 9998 '").intOption("port", 1, 1, 65535, USAGE));
        UsageError high = assertThrows(UsageError.class,
                () -> accepted("x --port 70000").intOption("port", 1, 1, 65535, USAGE));
        assertEquals("--port must be between 1 and 65535, not 70000.", high.getMessage());
        UsageError zero = assertThrows(UsageError.class,
                () -> accepted("x --port 0").intOption("port", 1, 1, 65535, USAGE));
        assertEquals("--port must be between 1 and 65535, not 0.", zero.getMessage());
    }

    @Test
    void aWholeNumberOptionThatIsNotANumberSaysWhatItGot() {
        for (String bad : List.of("ten", "9.5", "")) {
            UsageError e = assertThrows(UsageError.class,
                    () -> accepted("x --port '" + bad + "'").intOption("port", 1, 1, 65535, USAGE));
            assertEquals("--port needs a whole number, not '" + bad + "'.", e.getMessage());
            assertEquals(USAGE, e.usage());
        }
    }

    @Test
    void aCountTooLargeForItsRangeSaysTheRange() {
        UsageError e = assertThrows(UsageError.class,
                () -> accepted("x --port 99999999999").intOption("port", 1, 1, 65535, USAGE));
        assertEquals("--port must be between 1 and 65535, not 99999999999.", e.getMessage());
    }

    @Test
    void aLargeCountMayBeWrittenWithSeparators() throws UsageError {
        assertEquals(1_000_000L, accepted("x --count 1_000_000").longOption("count", 0, 1, Long.MAX_VALUE, USAGE));
        assertEquals(1_000_000L, accepted("x --count 1,000,000").longOption("count", 0, 1, Long.MAX_VALUE, USAGE));
    }

    @Test
    void aDurationIsSecondsOrMinutesOrHours() throws UsageError {
        assertEquals(90, accepted("x --timeout 90").secondsOption("timeout", 60, 1, 86400, USAGE));
        assertEquals(90, accepted("x --timeout 90s").secondsOption("timeout", 60, 1, 86400, USAGE));
        assertEquals(120, accepted("x --timeout 2m").secondsOption("timeout", 60, 1, 86400, USAGE));
        assertEquals(3600, accepted("x --timeout 1h").secondsOption("timeout", 60, 1, 86400, USAGE));
        assertEquals(60, accepted("x").secondsOption("timeout", 60, 1, 86400, USAGE));
        UsageError e = assertThrows(UsageError.class,
                () -> accepted("x --timeout soon").secondsOption("timeout", 60, 1, 86400, USAGE));
        assertEquals("--timeout is a time in seconds, written N, Ns, Nm or Nh (--timeout 90, --timeout 2m), not 'soon'.",
                e.getMessage());
    }

    @Test
    void aRateHasOneGrammarForEveryMagic() throws UsageError {
        assertEquals(2.5, accepted("x --rate 2.5").rateOption("rate", 1, 100, "lines", USAGE));
        assertEquals(5, accepted("x --rate 5/sec").rateOption("rate", 1, 100, "lines", USAGE));
        assertEquals(1, accepted("x").rateOption("rate", 1, 100, "lines", USAGE));
    }
}
