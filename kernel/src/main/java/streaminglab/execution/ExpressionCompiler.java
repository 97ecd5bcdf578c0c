package streaminglab.execution;

import com.sun.source.tree.AssignmentTree;
import com.sun.source.tree.BinaryTree;
import com.sun.source.tree.CompilationUnitTree;
import com.sun.source.tree.ExpressionStatementTree;
import com.sun.source.tree.ExpressionTree;
import com.sun.source.tree.MethodInvocationTree;
import com.sun.source.tree.ReturnTree;
import com.sun.source.tree.Tree;
import com.sun.source.util.JavacTask;
import com.sun.source.util.TreePath;
import com.sun.source.util.TreeScanner;
import com.sun.source.util.Trees;
import com.sun.tools.javac.api.JavacTaskPool;

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
import java.io.IOException;
import java.io.OutputStream;
import java.net.URI;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Compiles a cell expression into a class of its own in JShell's package: one javac task, or two for a method
 * called only for its effect (javac says its type is void, and it is compiled again as a statement). javac's
 * symbol tables are kept from one expression to the next while the imports (JShell's active snippets) stay
 * the same, as JShell keeps its own.
 */
final class ExpressionCompiler {
    private static final Logger LOG = Logger.getLogger(ExpressionCompiler.class.getName());
    private static final List<String> OPTIONS = List.of("-proc:none", "-parameters", "-Xlint:none");

    /** One for all tasks: javac's pooled contexts keep the file manager they were first given. */
    private final ClassCapture files;
    private JavacTaskPool contexts;
    private String contextImports;

    /**
     * jshellFiles: JShell's file manager, which serves its snippets' classes and the class path.
     * Throws IllegalAccessError where javac's pool is not exported to the kernel.
     */
    ExpressionCompiler(JavaFileManager jshellFiles) {
        this.files = new ClassCapture(jshellFiles);
        this.contexts = new JavacTaskPool(1);
    }

    /**
     * The class files of `REPL.className`, whose `do_it$()` returns the expression's value (or
     * {@link JavaEvaluator#NO_VALUE}); null when the source is not a plain expression or javac rejects it here.
     * imports: JShell's package line and imports for its snippets.
     */
    Map<String, byte[]> compile(String imports, String className, String expression) {
        if (!imports.equals(contextImports)) {
            // JShell's classes changed: javac's tables of the old ones would be stale
            contexts = new JavacTaskPool(1);
            contextImports = imports;
        }
        Map<String, byte[]> classes = new LinkedHashMap<>();
        // a new line before each `;`: a comment that ends the snippet must not swallow it
        Result result = compile(imports, className, "        return " + expression + "\n        ;\n", classes);
        if (result == Result.VOID) {
            result = compile(imports, className, "        " + expression + "\n        ;\n        return "
                    + JavaEvaluator.class.getName() + ".NO_VALUE;\n", classes);
        }
        return result == Result.OK ? classes : null;
    }

    /** What javac made of it. */
    private enum Result {
        /** class files written */
        OK,
        /** an expression of type void: compile it again as a statement */
        VOID,
        /** not a plain expression, or one javac rejects here */
        NOT_HERE
    }

    private Result compile(String imports, String className, String body, Map<String, byte[]> out) {
        String source = imports + "\nclass " + className + " {\n    public static Object do_it$() throws Throwable {\n"
                + body + "    }\n}\n";
        out.clear();
        files.writeTo(out);
        DiagnosticCollector<JavaFileObject> diagnostics = new DiagnosticCollector<>();
        try {
            return contexts.getTask(null, files, diagnostics, OPTIONS, null,
                    List.of(new CellSource(className, source)), task -> {
                        try {
                            JavacTask javac = (JavacTask) task;
                            Iterable<? extends CompilationUnitTree> units = javac.parse();
                            if (hasErrors(diagnostics) || readsAsDeclaration(units)) return Result.NOT_HERE;
                            javac.analyze();
                            if (hasErrors(diagnostics)) return returnsVoid(javac, units) ? Result.VOID : Result.NOT_HERE;
                            javac.generate();
                            return hasErrors(diagnostics) || out.isEmpty() ? Result.NOT_HERE : Result.OK;
                        } catch (IOException e) {
                            return Result.NOT_HERE;
                        }
                    });
        } catch (RuntimeException | AssertionError | StackOverflowError e) {
            LOG.log(Level.FINE, "javac failed on a cell expression; JShell takes it", e);
            return Result.NOT_HERE;
        }
    }

    /**
     * `Dataset<Row> df = ...` and `List<String> names` read as comparisons where an expression is expected
     * (`Dataset < Row > df`): a comparison of a comparison never compiles, so these are declarations, for JShell.
     */
    private static boolean readsAsDeclaration(Iterable<? extends CompilationUnitTree> units) {
        ExpressionTree expression = onlyExpression(units);
        if (expression instanceof AssignmentTree) expression = ((AssignmentTree) expression).getVariable();
        return expression instanceof BinaryTree && expression.getKind() == Tree.Kind.GREATER_THAN
                && ((BinaryTree) expression).getLeftOperand().getKind() == Tree.Kind.LESS_THAN;
    }

    /** True when the expression is a call of a method that returns void: one called for what it does. */
    private static boolean returnsVoid(JavacTask javac, Iterable<? extends CompilationUnitTree> units) {
        ExpressionTree expression = onlyExpression(units);
        // javac types a mismatched expression as an error; the method it calls still says what it returns
        if (!(expression instanceof MethodInvocationTree)) return false;
        CompilationUnitTree unit = units.iterator().next();
        Element method = Trees.instance(javac).getElement(TreePath.getPath(unit, expression));
        return method instanceof ExecutableElement
                && ((ExecutableElement) method).getReturnType().getKind() == TypeKind.VOID;
    }

    /** The cell's expression in the generated class: after `return`, or the statement it was compiled as. */
    private static ExpressionTree onlyExpression(Iterable<? extends CompilationUnitTree> units) {
        ExpressionTree[] found = new ExpressionTree[1];
        for (CompilationUnitTree unit : units) {
            new TreeScanner<Void, Void>() {
                @Override
                public Void visitReturn(ReturnTree node, Void unused) {
                    if (found[0] == null) found[0] = node.getExpression();
                    return null;
                }

                @Override
                public Void visitExpressionStatement(ExpressionStatementTree node, Void unused) {
                    if (found[0] == null) found[0] = node.getExpression();
                    return null;
                }
            }.scan(unit, null);
        }
        return found[0];
    }

    private static boolean hasErrors(DiagnosticCollector<JavaFileObject> diagnostics) {
        return diagnostics.getDiagnostics().stream().anyMatch(d -> d.getKind() == Diagnostic.Kind.ERROR);
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

    /** JShell's files for reading (its snippets' classes, the class path); the class files written go to a map. */
    private static final class ClassCapture extends ForwardingJavaFileManager<JavaFileManager> {
        private Map<String, byte[]> out = new LinkedHashMap<>();

        ClassCapture(JavaFileManager files) {
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
