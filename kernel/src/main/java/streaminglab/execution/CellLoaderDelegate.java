package streaminglab.execution;

import jdk.jshell.execution.LoaderDelegate;
import jdk.jshell.spi.ExecutionControl.ClassBytecodes;
import jdk.jshell.spi.ExecutionControl.ClassInstallException;
import jdk.jshell.spi.ExecutionControl.InternalException;

import java.io.File;
import java.net.MalformedURLException;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/** Loads JShell's compiled snippets into the kernel's own {@link CellClassLoader}. */
final class CellLoaderDelegate implements LoaderDelegate {
    private final CellClassLoader loader;
    private final Set<String> kernelClassPath;
    private final Map<String, Class<?>> loaded = new ConcurrentHashMap<>();

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
                installed[i] = true;
            }
        } catch (Throwable e) {
            throw new ClassInstallException("could not load cell class: " + e, installed);
        }
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
