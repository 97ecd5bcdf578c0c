package streaminglab.kernel;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

class SparkDocsTest {
    @Test
    void firstParagraphOfAScalaDocStopsAtItsCodeBlock() {
        String comment = """
                 * :: Experimental ::
                 * Returns a [[DataStreamReader]] that can be used to read streaming data in as a
                 * [[org.apache.spark.sql.Dataset DataFrame]].
                 * {{{
                 *   sparkSession.readStream.parquet("/path")
                 * }}}
                 *
                 * @since 2.0.0
                """;
        assertEquals("Returns a `DataStreamReader` that can be used to read streaming data in as a DataFrame.",
                SparkDocs.firstParagraphOf(comment));
    }

    @Test
    void firstParagraphOfAJavadocReadsItsTags() {
        String comment = """
                 * A trigger that runs a query every {@code interval}, see {@link Trigger#Once}.
                 * <p>
                 * More.
                """;
        assertEquals("A trigger that runs a query every `interval`, see `Once`.", SparkDocs.firstParagraphOf(comment));
    }

    @Test
    void aCommentWithOnlyTagsSaysNothing() {
        assertNull(SparkDocs.firstParagraphOf("\n * @since 3.0.0\n"));
    }

    @Test
    void parametersAreCountedOutsideTypeArguments() {
        assertEquals(0, SparkDocs.countParameters(" "));
        assertEquals(2, SparkDocs.countParameters("java.util.Map<String, String> options, String path"));
        assertEquals(1, SparkDocs.countParameters("function: (Dataset[T], Long) => Unit"));
        assertEquals(2, SparkDocs.countParameters("f: (Int, Int) => Int, zero: Map[String, Int]"));
    }
}
