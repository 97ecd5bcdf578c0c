package streaminglab.execution;

import jdk.jshell.Diag;
import jdk.jshell.EvalException;
import jdk.jshell.JShell;
import jdk.jshell.Snippet;
import jdk.jshell.SnippetEvent;
import jdk.jshell.SourceCodeAnalysis;
import jdk.jshell.SourceCodeAnalysis.CompletionInfo;
import jdk.jshell.SourceCodeAnalysis.Completeness;
import jdk.jshell.UnresolvedReferenceException;
import jdk.jshell.VarSnippet;
import jdk.jshell.spi.ExecutionControl;
import jdk.jshell.spi.ExecutionControlProvider;
import jdk.jshell.spi.ExecutionEnv;

import java.io.InputStream;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Evaluates Java cells with JShell, in this JVM, on the calling thread (a {@link CellThread}). A cell may hold several snippets; they run in
 * order and the value of the last one, if it is an expression, is the cell's value. A snippet that is a plain
 * expression is compiled and run by {@link DirectExpressions} in one javac task; everything else, and any
 * expression that does not compile there, goes through JShell.
 */
public final class JavaEvaluator implements AutoCloseable {
    /** The value of a cell whose last snippet is a declaration or statement. */
    public static final Object NO_VALUE = new Object() {
        @Override
        public String toString() {
            return "(no value)";
        }
    };

    private final JShell shell;
    private final CellExecutionControl control;
    private final CellLoaderDelegate delegate;
    private final StaleCellClasses staleClasses;
    private final DirectExpressions expressions; // null: every snippet goes through JShell

    /** executors: where cell classes are written for executors on other JVMs; null in local mode. */
    public JavaEvaluator(CellClassLoader loader, Set<String> classPath, ExecutorClassFolder executors,
                         PrintStream out, PrintStream err) {
        this.delegate = new CellLoaderDelegate(loader, classPath, executors);
        this.control = new CellExecutionControl(delegate);
        ExecutionControlProvider provider = new ExecutionControlProvider() {
            @Override
            public String name() {
                return "spark-streaming-lab";
            }

            @Override
            public ExecutionControl generate(ExecutionEnv env, Map<String, String> parameters) {
                return control;
            }
        };
        this.shell = JShell.builder()
                .executionEngine(provider, Map.of())
                .out(out)
                .err(err)
                .in(InputStream.nullInputStream())
                .fileManager(CellFileManager::new)
                .compilerOptions("-Xlint:none")
                .build();
        shell.addToClasspath(String.join(java.io.File.pathSeparator, classPath));
        this.staleClasses = StaleCellClasses.of(shell);
        this.expressions = DirectExpressions.of(shell, control, delegate);
    }

    /** Evaluates a cell; returns its value, or {@link #NO_VALUE}. */
    public Object eval(String code) throws CellError, CellRuntimeError {
        SourceCodeAnalysis analysis = shell.sourceCodeAnalysis();
        String remaining = code;
        Object value = NO_VALUE;
        while (!remaining.isBlank()) {
            int start = code.length() - remaining.length() + leadingBlanks(remaining);
            CompletionInfo info = analysis.analyzeCompletion(remaining);
            // an unfinished snippet still goes to JShell whole, which names what is missing
            boolean unfinished = info.completeness() == Completeness.DEFINITELY_INCOMPLETE
                    || info.completeness() == Completeness.CONSIDERED_INCOMPLETE;
            String source = unfinished ? remaining : info.source();
            String rest = unfinished ? "" : info.remaining();
            value = evalSnippet(code, start, source);
            remaining = rest;
        }
        return value;
    }

    private Object evalSnippet(String cell, int start, String source) throws CellError, CellRuntimeError {
        DirectExpressions.Outcome direct = expressions == null ? null : expressions.tryRun(source);
        if (direct != null) {
            if (direct.thrown() != null) throw new CellRuntimeError(direct.thrown(), null);
            return direct.value();
        }
        List<SnippetEvent> events = evalKeepingValues(source);
        try {
            return valueOf(cell, start, source, events);
        } finally {
            for (SnippetEvent event : events) {
                if (event.causeSnippet() == null) forgetValueVariable(event.snippet());
            }
            staleClasses.forget();
        }
    }

    private Object valueOf(String cell, int start, String source, List<SnippetEvent> events)
            throws CellError, CellRuntimeError {
        Object value = NO_VALUE;
        for (SnippetEvent event : events) {
            if (event.causeSnippet() != null) continue; // a dependent snippet was updated
            Snippet snippet = event.snippet();
            if (event.status() == Snippet.Status.REJECTED) {
                throw CompileErrors.of(cell, start, shell.diagnostics(snippet).toList(), source);
            }
            if (event.exception() != null) {
                Throwable failure = control.takeFailure();
                if (event.exception() instanceof UnresolvedReferenceException) {
                    throw unresolved((UnresolvedReferenceException) event.exception());
                }
                if (failure == null) failure = event.exception();
                throw new CellRuntimeError(failure, (EvalException) asEval(event.exception()));
            }
            if (isExpression(snippet)) {
                value = control.takeValue();
            } else {
                control.takeValue();
                value = NO_VALUE;
            }
            if (event.status() == Snippet.Status.RECOVERABLE_DEFINED
                    || event.status() == Snippet.Status.RECOVERABLE_NOT_DEFINED) {
                warnUnresolved(snippet);
            }
        }
        return value;
    }

    /**
     * JShell keeps the value of an expression in a variable ($1, $2, ...) that every later snippet imports.
     * A notebook never names them (the value is shown, not a $N), yet each one made every later cell slower to
     * compile and kept its value, however big, from the garbage collector. So once the cell has the value,
     * the variable goes.
     */
    private void forgetValueVariable(Snippet snippet) {
        if (snippet.subKind() != Snippet.SubKind.TEMP_VAR_EXPRESSION_SUBKIND) return;
        if (shell.status(snippet).isActive()) shell.drop(snippet);
        delegate.release(snippet.id(), ((VarSnippet) snippet).name());
    }

    /** JShell's eval, then the variables of snippets it recompiled get their values back. */
    private List<SnippetEvent> evalKeepingValues(String source) {
        List<SnippetEvent> events = shell.eval(source);
        Set<String> declaredNow = new java.util.HashSet<>();
        for (SnippetEvent event : events) {
            if (event.causeSnippet() == null && event.snippet() instanceof VarSnippet v) declaredNow.add(v.name());
        }
        delegate.carryOverValues(declaredNow);
        return events;
    }

    private static Exception asEval(Exception e) {
        return e instanceof EvalException ? e : null;
    }

    private static boolean isExpression(Snippet snippet) {
        return snippet.kind() == Snippet.Kind.EXPRESSION
                || snippet.subKind() == Snippet.SubKind.TEMP_VAR_EXPRESSION_SUBKIND;
    }

    private CellError unresolved(UnresolvedReferenceException e) {
        List<String> missing = shell.unresolvedDependencies(e.getSnippet()).toList();
        String message = "This code uses " + String.join(", ", missing)
                + ", which is not defined yet: define it in a cell and run that cell first.";
        return new CellError("UnresolvedReference", message, List.of(message), null);
    }

    private void warnUnresolved(Snippet snippet) {
        if (!(snippet instanceof jdk.jshell.DeclarationSnippet)) return;
        List<String> missing = shell.unresolvedDependencies((jdk.jshell.DeclarationSnippet) snippet).toList();
        if (!missing.isEmpty()) {
            System.err.println("Note: it can be used once " + String.join(", ", missing) + " is defined.");
        }
    }

    /** Runs source the lab itself needs (imports, the `spark` variable); failures are the lab's bugs. */
    public void declare(String source) {
        for (SnippetEvent event : evalKeepingValues(source)) {
            if (event.status() == Snippet.Status.REJECTED || event.exception() != null) {
                String diag = shell.diagnostics(event.snippet())
                        .map(d -> d.getMessage(Locale.ROOT)).reduce("", (a, b) -> a + b);
                throw new IllegalStateException("the lab could not declare `" + source.trim() + "`: " + diag
                        + (event.exception() != null ? " " + event.exception() : ""));
            }
        }
        control.takeValue();
        staleClasses.forget();
    }

    /** True when a variable of that name has been declared by a cell or by the lab. */
    public boolean isDeclared(String variable) {
        return shell.variables().anyMatch(v -> v.name().equals(variable)
                && shell.status(v) == Snippet.Status.VALID);
    }

    /** Type of a declared variable, for inspection. */
    public Optional<VarSnippet> variable(String name) {
        return shell.variables().filter(v -> v.name().equals(name)
                && shell.status(v) == Snippet.Status.VALID).reduce((a, b) -> b);
    }

    public SourceCodeAnalysis analysis() {
        return shell.sourceCodeAnalysis();
    }

    private static int leadingBlanks(String s) {
        int i = 0;
        while (i < s.length() && Character.isWhitespace(s.charAt(i))) i++;
        return i;
    }

    @Override
    public void close() {
        shell.close();
    }

    /** Names of everything declared so far, e.g. for completion of a bare word. */
    public Collection<String> declaredNames() {
        List<String> names = new ArrayList<>();
        shell.variables().forEach(v -> names.add(v.name()));
        shell.methods().forEach(m -> names.add(m.name()));
        shell.types().forEach(t -> names.add(t.name()));
        return names;
    }

    /** Diagnostics for a snippet, exposed for is_complete. */
    List<Diag> diagnostics(Snippet snippet) {
        return shell.diagnostics(snippet).toList();
    }
}
