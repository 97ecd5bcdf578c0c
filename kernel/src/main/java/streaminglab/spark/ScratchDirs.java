package streaminglab.spark;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * Spark's scratch space (spark.local.dir: shuffle and block files, its temporary folders) for local mode, one
 * folder per kernel under the lab's home. Spark removes what it made when it stops cleanly; a kernel that was
 * killed leaves its folder, which the next kernel removes, because the process it is named after is gone.
 * Under /tmp (Spark's default) every killed kernel left spark-* and blockmgr-* folders for good.
 */
final class ScratchDirs {
    private ScratchDirs() {
    }

    /** This kernel's scratch folder, made after removing the folders of kernels that no longer run. */
    static Path forThisKernel(Path root) throws IOException {
        Files.createDirectories(root);
        try (DirectoryStream<Path> dirs = Files.newDirectoryStream(root)) {
            for (Path dir : dirs) {
                if (ofDeadProcess(dir)) deleteTree(dir);
            }
        }
        Path mine = root.resolve(String.valueOf(ProcessHandle.current().pid()));
        Files.createDirectories(mine);
        return mine;
    }

    private static boolean ofDeadProcess(Path dir) {
        String name = dir.getFileName().toString();
        if (!name.matches("\\d{1,10}") || !Files.isDirectory(dir)) return false;
        long pid = Long.parseLong(name);
        return pid != ProcessHandle.current().pid() && ProcessHandle.of(pid).map(p -> !p.isAlive()).orElse(true);
    }

    private static void deleteTree(Path dir) {
        try (Stream<Path> all = Files.walk(dir)) {
            all.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException | RuntimeException e) {
            // what is left is only disk space; the next kernel tries again
        }
    }
}
