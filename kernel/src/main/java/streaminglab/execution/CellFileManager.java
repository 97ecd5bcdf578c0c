package streaminglab.execution;

import javax.tools.FileObject;
import javax.tools.ForwardingJavaFileManager;
import javax.tools.JavaFileObject;
import javax.tools.StandardJavaFileManager;
import javax.tools.StandardLocation;
import java.io.File;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Collection;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.HashMap;

/**
 * The compiler's file manager for cells. JShell runs javac three times per cell, and two things javac
 * did each time it does once here:
 * <ul>
 * <li>JShell gives javac its options again for every task (the class path, `--multi-release`), and each
 * time javac's file manager forgot its index of the class path's jars and built it again. An option goes
 * through only when its value changes.</li>
 * <li>javac looks for compiler plugins with a new class loader over the class path, every task: with Spark's
 * jars that meant opening and searching each of them. Cells have no plugins or annotation processors
 * (JShell runs javac with -proc:none), so javac gets a processor path that holds none.</li>
 * </ul>
 * Together they were half the time a `1+1` cell took.
 */
final class CellFileManager extends ForwardingJavaFileManager<StandardJavaFileManager>
        implements StandardJavaFileManager {
    /** Finds only what the platform has: no plugins, no processors. */
    private static final ClassLoader NO_PLUGINS = new ClassLoader("no-javac-plugins",
            ClassLoader.getPlatformClassLoader()) {
    };

    /** The value each one-value option was last given. */
    private final Map<String, String> given = new HashMap<>();

    CellFileManager(StandardJavaFileManager files) {
        super(files);
    }

    @Override
    public boolean hasLocation(Location location) {
        return location == StandardLocation.ANNOTATION_PROCESSOR_PATH || super.hasLocation(location);
    }

    @Override
    public ClassLoader getClassLoader(Location location) {
        return location == StandardLocation.ANNOTATION_PROCESSOR_PATH ? NO_PLUGINS : super.getClassLoader(location);
    }

    @Override
    public synchronized boolean handleOption(String current, Iterator<String> remaining) {
        if (fileManager.isSupportedOption(current) != 1 || !remaining.hasNext()) {
            return super.handleOption(current, remaining);
        }
        String value = remaining.next();
        if (value.equals(given.get(current))) return true; // the same again: javac's index still holds
        boolean handled = fileManager.handleOption(current, List.of(value).iterator());
        if (handled) given.put(current, value);
        return handled;
    }

    // What StandardJavaFileManager adds to JavaFileManager, passed on as it is.

    @Override
    public Iterable<? extends JavaFileObject> getJavaFileObjectsFromFiles(Iterable<? extends File> files) {
        return fileManager.getJavaFileObjectsFromFiles(files);
    }

    @Override
    public Iterable<? extends JavaFileObject> getJavaFileObjectsFromPaths(Collection<? extends Path> paths) {
        return fileManager.getJavaFileObjectsFromPaths(paths);
    }

    @Override
    public Iterable<? extends JavaFileObject> getJavaFileObjects(File... files) {
        return fileManager.getJavaFileObjects(files);
    }

    @Override
    public Iterable<? extends JavaFileObject> getJavaFileObjects(Path... paths) {
        return fileManager.getJavaFileObjects(paths);
    }

    @Override
    public Iterable<? extends JavaFileObject> getJavaFileObjectsFromStrings(Iterable<String> names) {
        return fileManager.getJavaFileObjectsFromStrings(names);
    }

    @Override
    public Iterable<? extends JavaFileObject> getJavaFileObjects(String... names) {
        return fileManager.getJavaFileObjects(names);
    }

    @Override
    public void setLocation(Location location, Iterable<? extends File> files) throws IOException {
        forgetGiven();
        fileManager.setLocation(location, files);
    }

    @Override
    public void setLocationFromPaths(Location location, Collection<? extends Path> paths) throws IOException {
        forgetGiven();
        fileManager.setLocationFromPaths(location, paths);
    }

    @Override
    public void setLocationForModule(Location location, String moduleName, Collection<? extends Path> paths)
            throws IOException {
        forgetGiven();
        fileManager.setLocationForModule(location, moduleName, paths);
    }

    @Override
    public Iterable<? extends File> getLocation(Location location) {
        return fileManager.getLocation(location);
    }

    @Override
    public Iterable<? extends Path> getLocationAsPaths(Location location) {
        return fileManager.getLocationAsPaths(location);
    }

    @Override
    public Path asPath(FileObject file) {
        return fileManager.asPath(file);
    }

    @Override
    public void setPathFactory(PathFactory factory) {
        fileManager.setPathFactory(factory);
    }

    /** A location set directly may differ from what an option said: the next option goes through. */
    private synchronized void forgetGiven() {
        given.clear();
    }
}
