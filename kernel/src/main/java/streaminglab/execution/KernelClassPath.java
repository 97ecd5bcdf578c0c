package streaminglab.execution;

import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.jar.JarFile;
import java.util.jar.Manifest;

/**
 * The kernel's class path as the compiler needs it: java.class.path plus the Class-Path
 * entries of the kernel jar's manifest (where Spark and the other libraries are listed).
 */
public final class KernelClassPath {
    private KernelClassPath() {
    }

    public static Set<String> entries() {
        Set<String> entries = new LinkedHashSet<>();
        for (String entry : System.getProperty("java.class.path", "").split(File.pathSeparator)) {
            if (entry.isBlank()) continue;
            entries.add(entry);
            if (entry.endsWith(".jar")) addManifestClassPath(Paths.get(entry), entries);
        }
        return entries;
    }

    private static void addManifestClassPath(Path jar, Set<String> entries) {
        try (JarFile file = new JarFile(jar.toFile())) {
            Manifest manifest = file.getManifest();
            if (manifest == null) return;
            String classPath = manifest.getMainAttributes().getValue("Class-Path");
            if (classPath == null) return;
            URI base = jar.toAbsolutePath().getParent().toUri();
            for (String relative : classPath.trim().split("\\s+")) {
                if (!relative.isEmpty()) entries.add(Paths.get(base.resolve(relative)).toString());
            }
        } catch (IOException | IllegalArgumentException unreadable) {
            // a jar without a readable manifest adds nothing
        }
    }
}
