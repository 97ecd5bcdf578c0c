package streaminglab.execution;

import java.io.IOException;
import java.io.InputStream;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.Enumeration;
import java.util.List;
import java.net.URLClassLoader;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Holds the classes JShell compiles from cells. It is the context class loader of the cell
 * threads and of the thread that creates the SparkSession, so Spark's local executors find
 * cell classes (lambdas, beans, UDFs) when they deserialize tasks — the same classes, with
 * the same static fields, that the cells use.
 */
public final class CellClassLoader extends URLClassLoader {
    static {
        ClassLoader.registerAsParallelCapable();
    }

    private final Map<String, byte[]> compiled = new ConcurrentHashMap<>();

    public CellClassLoader(ClassLoader parent) {
        super(new URL[0], parent);
    }

    void declare(String name, byte[] bytecode) {
        compiled.put(name, bytecode);
    }

    /** The bytes of a cell class, for shipping to executors on other JVMs. */
    public byte[] bytecodeOf(String name) {
        return compiled.get(name);
    }

    /** A cell class is looked for here first: asking the parent would search every jar of the class path for it. */
    @Override
    protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
        if (!compiled.containsKey(name)) return super.loadClass(name, resolve);
        synchronized (getClassLoadingLock(name)) {
            Class<?> k = findLoadedClass(name);
            if (k == null) k = findClass(name);
            if (resolve) resolveClass(k);
            return k;
        }
    }

    @Override
    protected Class<?> findClass(String name) throws ClassNotFoundException {
        byte[] bytes = compiled.get(name);
        if (bytes == null) return super.findClass(name);
        return defineClass(name, bytes, 0, bytes.length);
    }

    /**
     * Spark finds data sources through this file, with the cell thread's context class loader:
     * here "console" names the lab's live console sink instead of Spark's text one.
     */
    static final String DATA_SOURCES = "META-INF/services/org.apache.spark.sql.sources.DataSourceRegister";
    static final String SPARK_CONSOLE = "org.apache.spark.sql.execution.streaming.ConsoleSinkProvider";
    static final String LAB_CONSOLE = "streaminglab.streaming.LiveConsoleSink$Provider";
    private volatile URL dataSources;

    @Override
    public Enumeration<URL> getResources(String name) throws IOException {
        if (!DATA_SOURCES.equals(name)) return super.getResources(name);
        if (dataSources == null) dataSources = labDataSources(super.getResources(name));
        return Collections.enumeration(List.of(dataSources));
    }

    private static URL labDataSources(Enumeration<URL> sparkFiles) throws IOException {
        StringBuilder merged = new StringBuilder();
        for (URL file : Collections.list(sparkFiles)) {
            try (InputStream in = file.openStream()) {
                for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
                    String entry = line.replaceAll("#.*", "").trim();
                    if (!entry.isEmpty() && !entry.equals(SPARK_CONSOLE)) merged.append(entry).append('\n');
                }
            }
        }
        merged.append(LAB_CONSOLE).append('\n');
        Path copy = Files.createTempFile("spark-lab-data-sources", ".txt");
        copy.toFile().deleteOnExit();
        Files.writeString(copy, merged);
        return copy.toUri().toURL();
    }

    @Override
    public void addURL(URL url) {
        super.addURL(url);
    }
}
