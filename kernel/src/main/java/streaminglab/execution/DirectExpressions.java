package streaminglab.execution;

import jdk.jshell.JShell;
import jdk.jshell.spi.ExecutionControl;
import jdk.jshell.spi.ExecutionControl.ClassBytecodes;

import javax.tools.JavaFileManager;
import java.lang.reflect.Method;
import java.util.Collection;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.regex.Pattern;

/**
 * Runs a snippet that is a plain expression (`1+1`, `df.show()`, `counts`) in one javac task, where JShell
 * takes five: it parses the snippet, attributes it twice to learn its type, declares a variable `$N` for its
 * value, and then attributes and compiles that. Here the expression becomes a class of its own in JShell's
 * package ({@link ExpressionCompiler}), compiled against the imports JShell gives its own snippets (every
 * active import, variable, method and class), then loaded and run by the same execution engine. A cell's value
 * is shown and never named (the lab drops JShell's `$N` anyway), so nothing is lost by not declaring it.
 * <p>
 * Anything else goes to JShell as before: declarations, statements, and every expression that does not compile
 * here cleanly (JShell then gives its own error, or handles what only it can: a variable whose type cannot be
 * written, code that needs JShell's relaxed access rules). So what a cell means does not depend on this
 * class; only how fast a plain expression runs.
 * <p>
 * It needs JShell's imports and file manager, reached by reflection (the kernel jar's manifest opens jdk.jshell),
 * and javac's context pool (which the manifest exports). Where either is missing, every snippet goes to JShell.
 */
final class DirectExpressions {
    private static final Logger LOG = Logger.getLogger(DirectExpressions.class.getName());
    /** In JShell's package, so that they see its package-private snippet classes; numbered for the JVM's life. */
    private static final String CLASS_PREFIX = "$Cell$";
    private static final AtomicLong COUNT = new AtomicLong();

    private static final String NAME = "[\\p{L}_$][\\p{L}\\p{N}_$]*";
    /**
     * Reserved words only: `record`, `var` or `sealed` may name a variable (`record.value()`), so they count only
     * where no expression could be (`record Pair<`, `sealed interface`). No expression starts with `<` (a generic
     * method) or with a label (`outer:`, never `Type::method`).
     */
    private static final Pattern STATEMENT_KEYWORD = Pattern.compile("(?:(?:import|class|interface|enum|abstract|"
            + "final|static|public|private|protected|strictfp|for|while|do|if|try|throw|return|assert|break|"
            + "continue|synchronized)\\b|[@{<]|record\\s+" + NAME + "\\s*<|(?:non-)?sealed\\s+(?:class|interface)\\b|"
            + NAME + "\\s*:(?!:))");
    private static final Pattern NEW = Pattern.compile("new\\b");
    private static final Pattern TYPE_THEN_NAME = Pattern.compile(NAME + "(?:\\s*\\.\\s*" + NAME + ")*"
            + "\\s*(?:<[^;=()]*>)?(?:\\s*\\[\\s*\\])*\\s+" + NAME + "\\s*(?:[=;,(\\[]|$)");

    /** What a run gave: the value (or {@link JavaEvaluator#NO_VALUE}), or what the code threw. */
    record Outcome(Object value, Throwable thrown) {
    }

    private final JShell shell;
    private final CellExecutionControl control;
    private final CellLoaderDelegate delegate;
    private final Object jshellCompiler; // JShell's TaskFactory: its lock keeps its files to one javac task at a time
    private final Object snippetMaps;
    private final Method importsOfActiveSnippets;
    private final ExpressionCompiler compiler;

    private DirectExpressions(JShell shell, CellExecutionControl control, CellLoaderDelegate delegate,
                              Object jshellCompiler, JavaFileManager jshellFiles, Object snippetMaps,
                              Method importsOfActiveSnippets) {
        this.shell = shell;
        this.control = control;
        this.delegate = delegate;
        this.jshellCompiler = jshellCompiler;
        this.snippetMaps = snippetMaps;
        this.importsOfActiveSnippets = importsOfActiveSnippets;
        this.compiler = new ExpressionCompiler(jshellFiles);
    }

    /** For a JShell whose internals are open to the kernel; otherwise null (every snippet goes to JShell). */
    static DirectExpressions of(JShell shell, CellExecutionControl control, CellLoaderDelegate delegate) {
        try {
            Object jshellCompiler = JShellInternals.compiler(shell);
            JavaFileManager files = JShellInternals.files(jshellCompiler);
            Object maps = JShellInternals.field(JShell.class, "maps").get(shell);
            Method imports = maps.getClass().getDeclaredMethod("packageAndImportsExcept", Set.class, Collection.class);
            imports.setAccessible(true);
            return new DirectExpressions(shell, control, delegate, jshellCompiler, files, maps, imports);
        } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
            // LinkageError: javac's pool is not exported to the kernel
            LOG.log(Level.INFO, "cell expressions go through JShell's full path (its internals are not open to"
                    + " the kernel): " + e);
            return null;
        }
    }

    /**
     * Runs the snippet if it is a plain expression that compiles here; null when not (JShell takes it). Once it
     * returns an outcome the code has run: the caller must not run it again.
     */
    Outcome tryRun(String snippet) {
        String expression = withoutFinalSemicolons(snippet);
        if (expression.isEmpty() || readsAsDeclarationOrStatement(expression) || !writableVariableTypes()) return null;
        String className = CLASS_PREFIX + COUNT.incrementAndGet();
        Map<String, byte[]> classes;
        synchronized (jshellCompiler) {
            String imports = imports();
            if (imports == null) return null;
            classes = compiler.compile(imports, className, expression);
        }
        return classes == null ? null : run("REPL." + className, classes);
    }

    private Outcome run(String className, Map<String, byte[]> classes) {
        ClassBytecodes[] bytecodes = classes.entrySet().stream()
                .map(e -> new ClassBytecodes(e.getKey(), e.getValue())).toArray(ClassBytecodes[]::new);
        try {
            delegate.load(bytecodes);
            control.invoke(className, "do_it$");
            return new Outcome(control.takeValue(), null);
        } catch (ExecutionControl.RunException e) {
            Throwable thrown = control.takeFailure();
            return new Outcome(null, thrown != null ? thrown : e);
        } catch (ExecutionControl.ExecutionControlException e) {
            throw new IllegalStateException("the cell's class could not be loaded or run: " + e.getMessage(), e);
        }
    }

    /**
     * JShell gives a variable whose type cannot be written (an anonymous class, an intersection) its real type
     * inside its own javac tasks; here it would only have the type written in its class, so such cells go to JShell.
     */
    private boolean writableVariableTypes() {
        return shell.variables().noneMatch(v -> {
            String type = v.typeName();
            return type.contains("&") || type.contains("<anonymous") || type.contains("capture#");
        });
    }

    /** JShell's package line and the imports it gives every snippet, for what is active now. */
    private String imports() {
        try {
            return (String) importsOfActiveSnippets.invoke(snippetMaps, null, null);
        } catch (ReflectiveOperationException | RuntimeException e) {
            return null;
        }
    }

    /**
     * Declarations and statements, told apart by their first words so that they cost javac nothing here: a
     * keyword that starts a declaration or statement, or a type followed by a name (`int n = 1`,
     * `Dataset<Row> df = ...`, `String name(int i) {`). What slips through is told apart by javac; an expression
     * caught here (`a < b && c > d`) only takes JShell's slower path.
     * Package-private for the tests of which cells take which path (DirectExpressionsTest).
     */
    static boolean readsAsDeclarationOrStatement(String source) {
        String words = source.substring(firstWords(source));
        return STATEMENT_KEYWORD.matcher(words).lookingAt()
                || (TYPE_THEN_NAME.matcher(words).lookingAt() && !NEW.matcher(words).lookingAt());
    }

    /** Where the code starts after blanks and comments, which JShell keeps in the snippet (`// read the stream`). */
    private static int firstWords(String source) {
        int i = 0;
        while (i < source.length()) {
            if (Character.isWhitespace(source.charAt(i))) {
                i++;
            } else if (source.startsWith("//", i)) {
                int end = source.indexOf('\n', i);
                i = end < 0 ? source.length() : end + 1;
            } else if (source.startsWith("/*", i)) {
                int end = source.indexOf("*/", i + 2);
                i = end < 0 ? source.length() : end + 2;
            } else {
                break;
            }
        }
        return i;
    }

    /** Package-private for the tests (DirectExpressionsTest): `1 + 1;` is the expression `1 + 1`. */
    static String withoutFinalSemicolons(String snippet) {
        String s = snippet.strip();
        while (s.endsWith(";")) s = s.substring(0, s.length() - 1).stripTrailing();
        return s;
    }
}
