package streaminglab.kernel;

import org.junit.jupiter.api.Test;
import streaminglab.kernel.CellSource.Kind;
import streaminglab.kernel.CellSource.Part;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** How a cell splits into line magics, cell magics and the Java between them. */
class CellSourceTest {

    @Test
    void aCellOfJavaIsOnePart() {
        assertEquals(List.of(new Part(Kind.JAVA, null, null, "int x = 1;\nx + 1\n", 0)),
                CellSource.parse("int x = 1;\nx + 1"));
    }

    @Test
    void lineMagicsAndTheJavaBetweenThemRunInOrderWithTheirOffsets() {
        String cell = "%kafka start\nint n = 1;\n%socket feed lines.txt --rate 5/s\nn";
        assertEquals(List.of(
                new Part(Kind.LINE_MAGIC, "kafka", "start", "", 0),
                new Part(Kind.JAVA, null, null, "int n = 1;\n", 13),
                new Part(Kind.LINE_MAGIC, "socket", "feed lines.txt --rate 5/s", "", 24),
                new Part(Kind.JAVA, null, null, "n\n", 58)), CellSource.parse(cell));
        assertEquals("n", cell.substring(58, 59)); // an offset points at its part in the cell
    }

    @Test
    void aCellMagicTakesTheWholeBodyEvenLinesThatLookLikeMagics() {
        String cell = "\n  \n%%sql --max 5\nSELECT '%notmagic' AS x\n%kafka start\n";
        assertEquals(List.of(new Part(Kind.CELL_MAGIC, "sql", "--max 5",
                "SELECT '%notmagic' AS x\n%kafka start\n", 4)), CellSource.parse(cell));
    }

    @Test
    void aCellMagicWithNoBodyHasAnEmptyOne() {
        assertEquals(List.of(new Part(Kind.CELL_MAGIC, "kafka", "", "", 0)), CellSource.parse("%%kafka"));
    }

    @Test
    void anIndentedMagicIsStillAMagicAndItsArgumentsAreTrimmed() {
        assertEquals(List.of(new Part(Kind.LINE_MAGIC, "stream", "show counts", "", 0)),
                CellSource.parse("   %stream   show counts   "));
    }

    @Test
    void aPercentThatIsNotFollowedByALetterIsJava() {
        // a modulo at a line's start, a lone percent, a number: all Java, not magics
        List<Part> parts = CellSource.parse("int r = 10\n%3;\n%\n% kafka");
        assertEquals(1, parts.size());
        assertEquals(Kind.JAVA, parts.get(0).kind());
    }

    @Test
    void aDoublePercentAfterTheFirstLineIsJavaNotACellMagic() {
        List<Part> parts = CellSource.parse("int x = 1;\n%%sql\nSELECT 1");
        assertEquals(1, parts.size());
        assertEquals(Kind.JAVA, parts.get(0).kind());
    }

    @Test
    void blankJavaBetweenMagicsIsNotAPart() {
        assertEquals(List.of(
                new Part(Kind.LINE_MAGIC, "kafka", "start", "", 0),
                new Part(Kind.LINE_MAGIC, "kafka", "topics", "", 14)), CellSource.parse("%kafka start\n\n%kafka topics\n\n"));
    }

    @Test
    void javaToolsSeeTheJavaWithMagicLinesBlankedAndOffsetsKept() {
        String cell = "%kafka start\nint n = 1;\n  %stream show";
        String java = CellSource.javaOnly(cell);
        assertEquals(cell.length(), java.length());
        assertEquals(" ".repeat(12) + "\nint n = 1;\n" + " ".repeat(14), java);
        assertEquals(" ".repeat(14), CellSource.javaOnly("%%sql\nSELECT 1"));
    }
}
