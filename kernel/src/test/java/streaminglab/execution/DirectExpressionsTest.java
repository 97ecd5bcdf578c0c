package streaminglab.execution;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Which cells the kernel compiles as plain expressions in one javac task, and which it hands to JShell at once
 * by their first words. A declaration tried as an expression first costs a wasted javac task (and its symbol
 * tables, when the imports changed); an expression held back only runs slower. The cases below are the cells
 * the lessons write.
 */
class DirectExpressionsTest {

    private static boolean forJShell(String snippet) {
        return DirectExpressions.readsAsDeclarationOrStatement(DirectExpressions.withoutFinalSemicolons(snippet));
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @ValueSource(strings = {
            "1 + 1",
            "1 + 1;",
            "counts",
            "df.show()",
            "spark.readStream().format(\"socket\").load()",
            "record.value()",              // a variable named record (Kafka lessons) is not a record declaration
            "var.length()",                // nor one named var
            "sealed - 1",
            "new Foo()",
            "new java.util.ArrayList<String>()",
            "new int[3]",
            "new Runnable() { public void run() { } }",
            "int.class",
            "String.class.getName()",
            "(String) value",
            "(List<String>) rows",
            "(Function<Integer, Integer>) x -> x + 1",
            "list.stream().map(s -> s.length()).toList()",
            "Collections.<String>emptyList()",
            "x = 5",
            "counts += 1",
            "arr[0] = 1",
            "a.b = 3",
            "x instanceof String s",
            "Map.Entry::getKey",
            "switch (day) { case 1 -> \"one\"; default -> \"other\"; }",   // JShell shows its value too
            "switch (day) { case 1 -> 1; default -> { yield 2; } }",
            "\"\"\"\n    hello\n    \"\"\".lines().count()",
            "// the counts so far\ncounts",
            "/* a comment */ 1 + 1",
            "ok ? 1 : 2",
    })
    void plainExpressionsTakeTheOneTaskPath(String cell) {
        assertFalse(forJShell(cell), "an expression held back for JShell: " + cell);
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @ValueSource(strings = {
            "int n = 1",
            "int n = 1;",
            "int n",
            "int[] a = {1, 2}",
            "String[] names;",
            "List<String> xs = new ArrayList<>()",
            "Map<String, List<Integer>> m",
            "Map<String, List<Integer>> m = new HashMap<>();",
            "Dataset<Row> df = spark.read().json(\"x\")",
            "java.util.List<String> xs = java.util.List.of()",
            "var x = 1",
            "var df = spark.readStream().load();",
            "Runnable r = () -> System.out.println(\"hi\")",
            "Function<Integer, Integer> twice = x -> x * 2",
            "String name(int i) { return \"\"; }",
            "void hello() { }",
            "record Point(int x, int y) { }",
            "record Pair<A, B>(A first, B second) { }",
            "<T> T first(List<T> xs) { return xs.get(0); }",
            "sealed interface Shape permits Circle { }",
            "non-sealed class Circle implements Shape { }",
            "class Foo { }",
            "interface Greeter { String greet(); }",
            "enum Color { RED, GREEN }",
            "@FunctionalInterface interface F { void f(); }",
            "@SuppressWarnings(\"unchecked\") List<String> xs = (List<String>) o",
            "import java.util.*",
            "static int twice(int x) { return 2 * x; }",
            "final int k = 3",
            "for (int i = 0; i < 3; i++) System.out.println(i)",
            "while (true) break",
            "do { x++; } while (x < 3)",
            "if (x > 1) System.out.println(x)",
            "try { f(); } catch (Exception e) { }",
            "throw new IllegalStateException()",
            "return",
            "{ int y = 2; }",
            "synchronized (lock) { }",
            "assert x > 0",
            "outer: for (int i = 0; i < 3; i++) { break outer; }",
            "yield result",                // (outside a switch only JShell's error; a statement all the same)
            "// read the stream\nDataset<Row> lines = spark.readStream().load();",
            "/** Draws the batches. */\nString timeline(List<Long> ids) { return \"\"; }",
            "/* one */ // two\n  int n = 1",
    })
    void declarationsAndStatementsGoToJShellAtOnce(String cell) {
        assertTrue(forJShell(cell), "a declaration or statement sent to javac as an expression: " + cell);
    }

    @Test
    void aComparisonThatLooksLikeAGenericTypeGoesToJShellWhichStillRunsIt() {
        // the known price of telling by first words: `a < b && c > d` reads like `Type<...> d`; it is only slower
        assertTrue(forJShell("a < b && c > d"));
    }

    @Test
    void finalSemicolonsAndBlanksAreNotPartOfTheExpression() {
        assertEquals("1 + 1", DirectExpressions.withoutFinalSemicolons("  1 + 1 ;; \n"));
        assertEquals("", DirectExpressions.withoutFinalSemicolons(";"));
        assertEquals("s.split(\";\")", DirectExpressions.withoutFinalSemicolons("s.split(\";\");"));
    }

    @Test
    void aCellOfOnlyACommentIsLeftToJavacAndJShell() {
        // nothing to classify: not a declaration, and javac's parse turns it away cheaply
        assertFalse(forJShell("// nothing here"));
        assertFalse(forJShell("/* unclosed"));
    }
}
