package streaminglab.execution;

import java.net.URL;
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

    @Override
    protected Class<?> findClass(String name) throws ClassNotFoundException {
        byte[] bytes = compiled.get(name);
        if (bytes == null) return super.findClass(name);
        return defineClass(name, bytes, 0, bytes.length);
    }

    @Override
    public void addURL(URL url) {
        super.addURL(url);
    }
}
