package streaminglab.execution;

import jdk.jshell.JShell;

import javax.tools.JavaFileManager;
import java.lang.reflect.Field;

/**
 * The parts of JShell the kernel reaches past its API, by reflection (the kernel jar's manifest opens jdk.jshell):
 * its compiler (the TaskFactory, whose lock keeps javac and JShell's files to one task at a time) and that
 * compiler's file manager. Callers fall back to JShell's own behaviour when these are not open.
 */
final class JShellInternals {
    private JShellInternals() {
    }

    /** JShell's TaskFactory. */
    static Object compiler(JShell shell) throws ReflectiveOperationException {
        return field(JShell.class, "taskFactory").get(shell);
    }

    /** The file manager JShell's compiler gives javac: its snippets' class files, then the class path. */
    static JavaFileManager files(Object compiler) throws ReflectiveOperationException {
        return (JavaFileManager) field(compiler.getClass(), "fileManager").get(compiler);
    }

    static Field field(Class<?> type, String name) throws NoSuchFieldException {
        Field f = type.getDeclaredField(name);
        f.setAccessible(true);
        return f;
    }
}
