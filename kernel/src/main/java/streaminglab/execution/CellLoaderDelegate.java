package streaminglab.execution;

import jdk.jshell.execution.LoaderDelegate;
import jdk.jshell.spi.ExecutionControl.ClassBytecodes;
import jdk.jshell.spi.ExecutionControl.ClassInstallException;
import jdk.jshell.spi.ExecutionControl.InternalException;

import java.io.File;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.net.MalformedURLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Loads JShell's compiled snippets into the kernel's own {@link CellClassLoader}. */
final class CellLoaderDelegate implements LoaderDelegate {
    private final CellClassLoader loader;
    private final Set<String> kernelClassPath;
    private final Map<String, Class<?>> loaded = new ConcurrentHashMap<>();
    /** The newest wrapper class of each snippet, by JShell's snippet index ("REPL.$JShell$12" for 12, 12B, 12C...). */
    private final Map<String, Class<?>> newestWrapper = new ConcurrentHashMap<>();
    /** Wrapper classes replaced by a newer version since the last {@link #carryOverValues}: {old, new}. */
    private final List<Class<?>[]> replaced = new ArrayList<>();
    /** A snippet's wrapper: its index, then letters that count its versions. */
    private static final Pattern WRAPPER = Pattern.compile("(REPL\\.\\$JShell\\$\\d+)[A-Z]*");

    private final ExecutorClassFolder executors;

    /** executors: where cell classes go for executors on other JVMs, or null in local mode. */
    CellLoaderDelegate(CellClassLoader loader, Set<String> kernelClassPath, ExecutorClassFolder executors) {
        this.loader = loader;
        this.kernelClassPath = kernelClassPath;
        this.executors = executors;
    }

    @Override
    public void load(ClassBytecodes[] classes) throws ClassInstallException {
        boolean[] installed = new boolean[classes.length];
        for (ClassBytecodes c : classes) {
            loader.declare(c.name(), c.bytecodes());
            if (executors != null) executors.write(c.name(), c.bytecodes());
        }
        try {
            for (int i = 0; i < classes.length; i++) {
                Class<?> k = loader.loadClass(classes[i].name());
                loaded.put(classes[i].name(), k);
                remember(k);
                installed[i] = true;
            }
        } catch (Throwable e) {
            throw new ClassInstallException("could not load cell class: " + e, installed);
        }
    }

    private void remember(Class<?> k) {
        Matcher wrapper = WRAPPER.matcher(k.getName());
        if (!wrapper.matches()) return;
        Class<?> previous = newestWrapper.put(wrapper.group(1), k);
        if (previous != null && previous != k) {
            synchronized (replaced) {
                replaced.add(new Class<?>[]{previous, k});
            }
        }
    }

    /**
     * Gives the variables of replaced wrapper classes the values they had. JShell recompiles a snippet when
     * something it depends on changes (a new import, a redefined type); it cannot redefine a loaded class
     * here, so it loads the new version under a new name, whose static fields (the cell's variables) start
     * as null: without this, two imports in one cell would set `spark` and every other variable to null.
     * Variables named in `declaredNow` were declared again by the cell itself and keep their new value.
     */
    void carryOverValues(Set<String> declaredNow) {
        List<Class<?>[]> pairs;
        synchronized (replaced) {
            pairs = new ArrayList<>(replaced);
            replaced.clear();
        }
        for (Class<?>[] pair : pairs) {
            for (Field old : pair[0].getDeclaredFields()) {
                int mod = old.getModifiers();
                if (!Modifier.isStatic(mod) || Modifier.isFinal(mod) || declaredNow.contains(old.getName())) continue;
                try {
                    Field now = pair[1].getDeclaredField(old.getName());
                    if (!Modifier.isStatic(now.getModifiers()) || Modifier.isFinal(now.getModifiers())) continue;
                    old.setAccessible(true);
                    now.setAccessible(true);
                    Object value = old.get(null);
                    // a type that changed (say a cell class defined again) cannot take the old value: JShell's own rule
                    if (value != null && !boxed(now.getType()).isInstance(value)) continue;
                    if (value == null && now.getType().isPrimitive()) continue;
                    now.set(null, value);
                } catch (NoSuchFieldException | IllegalAccessException | RuntimeException e) {
                    // not the same variable any more: it keeps its new (default) value, as in JShell
                }
            }
        }
    }

    /** Lets go of the value a snippet's variable holds (the class stays: a Spark task may still use its lambdas). */
    void release(String snippetId, String variable) {
        Class<?> wrapper = newestWrapper.get("REPL.$JShell$" + snippetId);
        if (wrapper == null) return;
        try {
            Field field = wrapper.getDeclaredField(variable);
            int mod = field.getModifiers();
            if (!Modifier.isStatic(mod) || Modifier.isFinal(mod) || field.getType().isPrimitive()) return;
            field.setAccessible(true);
            field.set(null, null);
        } catch (NoSuchFieldException | IllegalAccessException | RuntimeException e) {
            // nothing to let go of
        }
    }

    private static Class<?> boxed(Class<?> type) {
        if (!type.isPrimitive()) return type;
        return java.lang.invoke.MethodType.methodType(type).wrap().returnType();
    }

    @Override
    public void classesRedefined(ClassBytecodes[] classes) {
        for (ClassBytecodes c : classes) {
            loader.declare(c.name(), c.bytecodes());
            if (executors != null) executors.write(c.name(), c.bytecodes());
        }
    }

    @Override
    public void addToClasspath(String path) throws InternalException {
        for (String entry : path.split(File.pathSeparator)) {
            if (entry.isBlank() || kernelClassPath.contains(entry)) continue; // the kernel has it already
            try {
                loader.addURL(new File(entry).toURI().toURL());
            } catch (MalformedURLException e) {
                throw new InternalException("not a class path entry: " + entry);
            }
        }
    }

    @Override
    public Class<?> findClass(String name) throws ClassNotFoundException {
        Class<?> k = loaded.get(name);
        return k != null ? k : loader.loadClass(name);
    }
}
