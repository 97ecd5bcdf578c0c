package streaminglab.execution;

import com.sun.source.tree.AssignmentTree;
import com.sun.source.tree.BinaryTree;
import com.sun.source.tree.ClassTree;
import com.sun.source.tree.CompilationUnitTree;
import com.sun.source.tree.ExpressionTree;
import com.sun.source.tree.MethodInvocationTree;
import com.sun.source.tree.MethodTree;
import com.sun.source.tree.ReturnTree;
import com.sun.source.tree.StatementTree;
import com.sun.source.tree.Tree;
import com.sun.source.util.JavacTask;
import com.sun.source.util.TreePath;
import com.sun.source.util.TreeScanner;
import com.sun.source.util.Trees;
import com.sun.tools.javac.api.JavacTaskPool;
import jdk.jshell.JShell;
import jdk.jshell.VarSnippet;
import jdk.jshell.spi.ExecutionControl;
import jdk.jshell.spi.ExecutionControl.ClassBytecodes;

import javax.lang.model.element.Element;
import javax.lang.model.element.ExecutableElement;
import javax.lang.model.type.TypeKind;
import javax.tools.Diagnostic;
import javax.tools.DiagnosticCollector;
import javax.tools.FileObject;
import javax.tools.ForwardingJavaFileManager;
import javax.tools.JavaFileManager;
import javax.tools.JavaFileObject;
import javax.tools.SimpleJavaFileObject;
import javax.tools.StandardLocation;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.net.URI;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Runs a snippet that is a plain expression (`1+1`, `df.show()`, `counts`) in one javac task, where JShell
 * takes five: it parses the snippet, attributes it twice to learn its type, declares a variable `$N` for
 * its value, and then attributes and compiles that. The expression is compiled here into a class of its own
 * in JShell's package, against the same imports JShell gives its own snippets (every active import, variable,
 * method and class), loaded and run by the same execution engine. A cell's value is shown and never named
 * (the lab drops JShell's `$N` anyway), so nothing is lost by not declaring it.
 * <p>
 * Anything else goes to JShell as before: declarations, statements, and every expression that does not
 * compile here cleanly (JShell then gives its own error, or handles what only it can: an expression using a
 * variable whose type cannot be written, or code that needs JShell's relaxed access rules). So what a cell
 * means never depends on this class; only how fast a plain expression runs.
 * <p>
 * It needs JShell's imports and file manager, reached by reflection (the kernel jar's manifest opens jdk.jshell),
 * and javac's context pool (exported by the manifest). Where either is missing, every snippet goes to JShell.
 */
final class DirectExpressions {
    private static final Logger LOG = Logger.getLogger(DirectExpressions.class.getName());
    /** Cell expression classes live in JShell's package, so they see its package-private snippet classes. */
    private static final String CLASS_PREFIX = "$Cell$";
    private static final List<String> OPTIONS = List.of("-proc:none", "-parameters", "-Xlint:none");
    private static final AtomicLong COUNT = new AtomicLong();

    /** What a run gave: the value (or {@link JavaEvaluator#NO_VALUE}), or what the code threw. */
    record Outcome(Object value, Throwable thrown) {
    }

    private final JShell shell;
    private final CellExecutionControl control;
    private final CellLoaderDelegate delegate;
    private final Object compiler; // JShell's TaskFactory: its lock keeps javac and its files to one task at a time
    /** One for all tasks: javac's pooled contexts keep the file manager they were first given. */
    private final CapturingFiles files;
    private final Object snippetMaps;
    private final Method importsOfActiveSnippets;

    /** javac's symbol tables, kept while the imports they were built for stay the same. */
    private JavacTaskPool contexts;
    private String contextImports;

    private DirectExpressions(JShell shell, CellExecutionControl control, CellLoaderDelegate delegate, Object compiler,
                              JavaFileManager jshellFiles, Object snippetMaps, Method importsOfActiveSnippets) {
        this.shell = shell;
        this.control = control;
        this.delegate = delegate;
        this.compiler = compiler;
        this.files = new CapturingFiles(jshellFiles);
        this.snippetMaps = snippetMaps;
        this.importsOfActiveSnippets = importsOfActiveSnippets;
    }

    /** For a JShell whose internals are open to the kernel; otherwise null (every snippet goes to JShell). */
    static DirectExpressions of(JShell shell, CellExecutionControl control, CellLoaderDelegate delegate) {
        try {
            Object compiler = field(JShell.class, "taskFactory").get(shell);
            JavaFileManager files = (JavaFileManager) field(compiler.getClass(), "fileManager").get(compiler);
            Object maps = field(JShell.class, "maps").get(shell);
            Method imports = maps.getClass().getDeclaredMethod("packageAndImportsExcept",
                    java.util.Set.class, java.util.Collection.class);
            imports.setAccessible(true);
            new JavacTaskPool(1); // javac's pool is exported to the kernel
            return new DirectExpressions(shell, control, delegate, compiler, files, maps, imports);
        } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
            LOG.log(Level.INFO, "expressions go through JShell's full path (its internals are not open to the"
                    + " kernel): " + e);
            return null;
        }
    }

    /**
     * Runs the snippet if it is a plain expression that compiles here; null when it is not (JShell takes it).
     * Once it returns an outcome the code has run: the caller must not run it again.
     */
    Outcome tryRun(String snippet) {
        String expression = withoutFinalSemicolon(snippet);
        if (expression.isEmpty() || !usableVariableTypes()) return null;
        String className = CLASS_PREFIX + COUNT.incrementAndGet();
        Map<String, byte[]> classes = new LinkedHashMap<>();
        synchronized (compiler) {
            String imports = imports();
            if (imports == null) return null;
            // a new line before each `;`: a comment that ends the snippet must not swallow it
            Compiled compiled = compile(imports, className, "        return " + expression + "\n        ;\n", classes);
            if (compiled == Compiled.VOID) {
                compiled = compile(imports, className, "        " + expression + "\n        ;\n        return "
                        + JavaEvaluator.class.getName() + ".NO_VALUE;\n", classes);
            }
            if (compiled != Compiled.OK) return null;
        }
        return run("REPL." + className, classes);
    }

    /** What javac made of the expression. */
    private enum Compiled {
        /** class files written */
        OK,
        /** an expression of type void (a method call for its effect): compiled again as a statement */
        VOID,
        /** not a plain expression, or one javac rejects here: JShell takes it */
        NOT_HERE
    }

    /** Compiles the class into `out`. */
    private Compiled compile(String imports, String className, String body, Map<String, byte[]> out) {
        String source = imports + "\nclass " + className + " {\n    public static Object do_it$() throws Throwable {\n"
                + body + "    }\n}\n";
        if (!imports.equals(contextImports)) {
            // JShell's classes changed: javac's tables of the old ones would be stale
            contexts = new JavacTaskPool(1);
            contextImports = imports;
        }
        out.clear();
        files.writeTo(out);
        DiagnosticCollector<JavaFileObject> diagnostics = new DiagnosticCollector<>();
        JavaFileObject unit = new CellSource(className, source);
        try {
            return contexts.getTask(null, files, diagnostics, OPTIONS, null, List.of(unit), task -> {
                try {
                    JavacTask javac = (JavacTask) task;
                    Iterable<? extends CompilationUnitTree> units = javac.parse();
                    if (hasErrors(diagnostics) || looksLikeDeclaration(units)) return Compiled.NOT_HERE;
                    javac.analyze();
                    if (hasErrors(diagnostics)) return returnsVoid(javac, units) ? Compiled.VOID : Compiled.NOT_HERE;
                    javac.generate();
                    return hasErrors(diagnostics) || out.isEmpty() ? Compiled.NOT_HERE : Compiled.OK;
                } catch (java.io.IOException e) {
                    return Compiled.NOT_HERE;
                }
            });
        } catch (RuntimeException | AssertionError | StackOverflowError e) {
            LOG.log(Level.FINE, "javac failed on a cell expression; JShell takes it", e);
            return Compiled.NOT_HERE;
        }
    }

    private Outcome run(String className, Map<String, byte[]> classes) {
        ClassBytecodes[] bytecodes = classes.entrySet().stream()
                .map(e -> new ClassBytecodes(e.getKey(), e.getValue())).toArray(ClassBytecodes[]::new);
        try {
            delegate.load(bytecodes);
        } catch (ExecutionControl.ClassInstallException e) {
            throw new IllegalStateException("the cell's class could not be loaded: " + e.getMessage(), e);
        }
        try {
            control.invoke(className, "do_it$");
            return new Outcome(control.takeValue(), null);
        } catch (ExecutionControl.RunException e) {
            Throwable thrown = control.takeFailure();
            return new Outcome(null, thrown != null ? thrown : e);
        } catch (ExecutionControl.InternalException | ExecutionControl.EngineTerminationException e) {
            throw new IllegalStateException("the cell could not be run: " + e.getMessage(), e);
        }
    }

    /**
     * JShell gives a variable whose type cannot be written (an anonymous class, an intersection) its real type
     * inside its own javac tasks; here it would only have the written one, so such cells go to JShell.
     */
    private boolean usableVariableTypes() {
        return shell.variables().noneMatch(v -> unwritable(v.typeName()));
    }

    private static boolean unwritable(String type) {
        return type.contains("&") || type.contains("<anonymous") || type.contains("capture#");
    }

    private String imports() {
        try {
            return (String) importsOfActiveSnippets.invoke(snippetMaps, null, null);
        } catch (ReflectiveOperationException | RuntimeException e) {
            return null;
        }
    }

    /**
     * `Dataset<Row> df = ...` and `List<String> names;` read as comparisons where an expression is expected
     * (`Dataset < Row > df`): a comparison of a comparison never compiles, so these are declarations, for JShell.
     */
    private static boolean looksLikeDeclaration(Iterable<? extends CompilationUnitTree> units) {
        for (CompilationUnitTree unit : units) {
            for (Tree type : unit.getTypeDecls()) {
                if (!(type instanceof ClassTree)) continue;
                for (Tree member : ((ClassTree) type).getMembers()) {
                    if (!(member instanceof MethodTree) || ((MethodTree) member).getBody() == null) continue;
                    for (StatementTree statement : ((MethodTree) member).getBody().getStatements()) {
                        ExpressionTree e = statement instanceof ReturnTree ? ((ReturnTree) statement).getExpression()
                                : statement instanceof com.sun.source.tree.ExpressionStatementTree
                                ? ((com.sun.source.tree.ExpressionStatementTree) statement).getExpression() : null;
                        if (e instanceof AssignmentTree) e = ((AssignmentTree) e).getVariable();
                        if (e instanceof BinaryTree && e.getKind() == Tree.Kind.GREATER_THAN
                                && ((BinaryTree) e).getLeftOperand().getKind() == Tree.Kind.LESS_THAN) {
                            return true;
                        }
                    }
                }
            }
        }
        return false;
    }

    /** True when the expression after `return` is of type void: a method called for what it does. */
    private static boolean returnsVoid(JavacTask javac, Iterable<? extends CompilationUnitTree> units) {
        Trees trees = Trees.instance(javac);
        for (CompilationUnitTree unit : units) {
            ExpressionTree[] returned = new ExpressionTree[1];
            new TreeScanner<Void, Void>() {
                @Override
                public Void visitReturn(ReturnTree node, Void unused) {
                    returned[0] = node.getExpression();
                    return null;
                }
            }.scan(unit, null);
            // javac types a mismatched expression as an error; the method it calls still says what it returns
            if (!(returned[0] instanceof MethodInvocationTree)) return false;
            Element method = trees.getElement(TreePath.getPath(unit, returned[0]));
            return method instanceof ExecutableElement
                    && ((ExecutableElement) method).getReturnType().getKind() == TypeKind.VOID;
        }
        return false;
    }

    private static boolean hasErrors(DiagnosticCollector<JavaFileObject> diagnostics) {
        return diagnostics.getDiagnostics().stream().anyMatch(d -> d.getKind() == Diagnostic.Kind.ERROR);
    }

    private static String withoutFinalSemicolon(String snippet) {
        String s = snippet.strip();
        while (s.endsWith(";")) s = s.substring(0, s.length() - 1).stripTrailing();
        return s;
    }

    private static Field field(Class<?> type, String name) throws NoSuchFieldException {
        Field f = type.getDeclaredField(name);
        f.setAccessible(true);
        return f;
    }

    /** The generated source of a cell expression. */
    private static final class CellSource extends SimpleJavaFileObject {
        private final String source;

        CellSource(String className, String source) {
            super(URI.create("string:///REPL/" + className + ".java"), Kind.SOURCE);
            this.source = source;
        }

        @Override
        public CharSequence getCharContent(boolean ignoreEncodingErrors) {
            return source;
        }
    }

    /** JShell's files for reading (its snippet classes, the class path); class files written go to a map. */
    private static final class CapturingFiles extends ForwardingJavaFileManager<JavaFileManager> {
        private Map<String, byte[]> out = new LinkedHashMap<>();

        CapturingFiles(JavaFileManager files) {
            super(files);
        }

        void writeTo(Map<String, byte[]> classes) {
            out = classes;
        }

        @Override
        public JavaFileObject getJavaFileForOutput(Location location, String className, JavaFileObject.Kind kind,
                                                   FileObject sibling) {
            if (location != StandardLocation.CLASS_OUTPUT || kind != JavaFileObject.Kind.CLASS) {
                throw new IllegalArgumentException("a cell expression writes only class files: " + className);
            }
            Map<String, byte[]> target = out;
            return new SimpleJavaFileObject(URI.create("mem:///" + className.replace('.', '/') + ".class"),
                    JavaFileObject.Kind.CLASS) {
                @Override
                public OutputStream openOutputStream() {
                    return new ByteArrayOutputStream() {
                        @Override
                        public void close() {
                            target.put(className, toByteArray());
                        }
                    };
                }
            };
        }

        @Override
        public boolean isSameFile(FileObject a, FileObject b) {
            return a.equals(b);
        }
    }
}
