package streaminglab.execution;

import jdk.jshell.JShell;
import jdk.jshell.Snippet;

import java.lang.reflect.Method;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * JShell keeps the class file of every snippet it ever compiled, and each of the three or four javac tasks a
 * cell takes lists them all to javac, which enters every one into its symbol table and purges them again at
 * the task's end. So each cell run made every later cell slower: a `1+1` cell took 4 ms more after 1,500
 * cells than after 200. The classes of snippets that are no longer active (a shown value's variable, a cell
 * run again, a rejected snippet) are needed by no later compilation, so they are forgotten after each snippet.
 * <p>
 * JShell has no API for this; its file manager's map is reached by reflection, which the kernel jar's
 * manifest opens (Add-Opens: jdk.jshell/jdk.jshell). Where that is not open (the kernel started another way,
 * or a JDK whose JShell differs), nothing is forgotten and cells work as before, only slower over time.
 */
final class StaleCellClasses {
    private static final Logger LOG = Logger.getLogger(StaleCellClasses.class.getName());
    /** JShell's package for cell classes and the prefix of their names, e.g. REPL.$JShell$12B$Person. */
    private static final String CELL_CLASS_PREFIX = "REPL.$JShell$";

    private final JShell shell;
    private final Object compiler; // JShell's TaskFactory: its tasks hold its lock while they read the map
    private final Map<String, ?> classFiles; // class name → class file
    private final Method classNameOfSnippet;

    private StaleCellClasses(JShell shell, Object compiler, Map<String, ?> classFiles, Method classNameOfSnippet) {
        this.shell = shell;
        this.compiler = compiler;
        this.classFiles = classFiles;
        this.classNameOfSnippet = classNameOfSnippet;
    }

    /** For a JShell whose internals are open to the kernel; otherwise one that forgets nothing. */
    static StaleCellClasses of(JShell shell) {
        try {
            Object compiler = JShellInternals.compiler(shell);
            Object files = JShellInternals.files(compiler);
            Map<String, ?> classFiles = asMap(JShellInternals.field(files.getClass(), "classObjects").get(files));
            Method className = Snippet.class.getDeclaredMethod("classFullName");
            className.setAccessible(true);
            return new StaleCellClasses(shell, compiler, classFiles, className);
        } catch (ReflectiveOperationException | RuntimeException e) {
            LOG.log(Level.INFO, "JShell's compiled classes are not open to the kernel; each cell will list all of"
                    + " them to javac (start the kernel with --add-opens=jdk.jshell/jdk.jshell=ALL-UNNAMED): " + e);
            return new StaleCellClasses(shell, null, null, null);
        }
    }

    /** Drops the class files of every snippet that is not active. */
    void forget() {
        if (classFiles == null) return;
        Set<String> live = new HashSet<>();
        shell.snippets().filter(s -> shell.status(s).isActive()).forEach(s -> {
            String name = className(s);
            if (name != null) live.add(name);
        });
        synchronized (compiler) {
            classFiles.keySet().removeIf(name -> name.startsWith(CELL_CLASS_PREFIX) && !live.contains(outerClass(name)));
        }
    }

    private String className(Snippet snippet) {
        try {
            return (String) classNameOfSnippet.invoke(snippet);
        } catch (ReflectiveOperationException | RuntimeException notCompiled) {
            return null; // an import, or a snippet never wrapped in a class
        }
    }

    /** REPL.$JShell$12B$Person → REPL.$JShell$12B: a nested class lives as long as its cell class. */
    private static String outerClass(String name) {
        int nested = name.indexOf('$', CELL_CLASS_PREFIX.length());
        return nested < 0 ? name : name.substring(0, nested);
    }

    @SuppressWarnings("unchecked")
    private static Map<String, ?> asMap(Object value) {
        return (Map<String, ?>) value;
    }
}
