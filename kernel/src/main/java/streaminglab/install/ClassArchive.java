package streaminglab.install;

import streaminglab.execution.KernelClassPath;

import java.io.File;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * The kernel's class-data archive (AppCDS): the classes a notebook session loads (the Jupyter messaging, JShell
 * and javac, Spark), recorded once at install by a short training session ({@link ArchiveTraining}) and mapped by
 * every kernel the kernelspec starts, instead of each kernel finding, reading and verifying them again. On 2 cores
 * it took start → first `spark.range(10).count()` from 7.6 to 5.1 s, and start → kernel_info from 0.62 to 0.50 s.
 * <p>
 * An archive belongs to one JDK and one build of the jars. Its name carries a key of both, so a rebuilt kernel
 * trains a new one. A JVM given an archive that no longer matches says so on its terminal and starts without it.
 */
final class ClassArchive {
    private static final long TRAINING_SECONDS = 300;

    private ClassArchive() {
    }

    /**
     * The archive for this jar and JDK, written by a training session when there is none yet; null when it could
     * not be written (the kernel works without it, only starts more slowly). Says what it does on out.
     */
    static Path ensure(Path java, List<String> jvmOptions, Path jar, Path kernelspecDir, PrintStream out) {
        Path dir = Files.isWritable(jar.getParent()) ? jar.getParent().resolve("class-archive") : kernelspecDir;
        Path archive;
        try {
            archive = dir.resolve(fileName(java, jar));
            if (Files.isRegularFile(archive) && Files.size(archive) > 0) return archive;
            Files.createDirectories(dir);
        } catch (IOException e) {
            out.println("No class archive (" + e + "): the kernel works without it, only starts more slowly.");
            return null;
        }
        out.println("Writing the kernel's class archive: one short training session (Spark, a query, a table), "
                + "so that every kernel starts faster...");
        long start = System.nanoTime();
        String failure = train(java, jvmOptions, jar, archive);
        if (failure != null) {
            out.println("Could not write the class archive: " + failure.replaceFirst("\\.$", "")
                    + ". The kernel works without it, only starts more slowly.");
            return null;
        }
        removeOthers(dir, archive);
        try {
            out.printf("Class archive written in %.0f s: %s (%d MB)%n", (System.nanoTime() - start) / 1e9, archive,
                    Files.size(archive) >> 20);
        } catch (IOException e) {
            // it was there a moment ago; the kernel checks it again when it maps it
        }
        return archive;
    }

    /** Runs the training JVM; null when it wrote the archive, else what went wrong. */
    private static String train(Path java, List<String> jvmOptions, Path jar, Path archive) {
        Path part = archive.resolveSibling(archive.getFileName() + "." + ProcessHandle.current().pid() + ".part");
        Path home = null;
        Process training = null;
        try {
            home = Files.createTempDirectory("spark-lab-training-home");
            List<String> command = new ArrayList<>();
            command.add(java.toString());
            command.addAll(jvmOptions);
            command.add("-XX:ArchiveClassesAtExit=" + part);
            command.addAll(List.of("-jar", jar.toString(), "train"));
            ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(home.resolve("training.log").toFile());
            Map<String, String> env = builder.environment();
            env.put("SPARK_LAB_HOME", home.toString());
            env.remove("SPARK_MASTER"); // the archive is of a local session, whatever this shell points at
            env.remove("KAFKA_BOOTSTRAP_SERVERS");
            env.remove("JDK_JAVA_OPTIONS");
            env.remove("JPY_PARENT_PID"); // the training kernel follows the installer, its parent, out
            training = builder.start();
            Path log = home.resolve("training.log");
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(TRAINING_SECONDS);
            while (!training.waitFor(200, TimeUnit.MILLISECONDS)) {
                // a session that gave up (Spark did not start) would still spend seconds writing a useless archive
                String gaveUp = gaveUp(log);
                if (gaveUp != null) return gaveUp; // (stopped below)
                if (System.nanoTime() > deadline) return "the training session took over " + TRAINING_SECONDS + " s";
            }
            String gaveUp = gaveUp(log);
            if (gaveUp != null) return gaveUp;
            if (training.exitValue() != 0 || !Files.isRegularFile(part) || Files.size(part) == 0) {
                return "the training session ended with exit code " + training.exitValue() + ":\n"
                        + tail(home.resolve("training.log"));
            }
            Files.move(part, archive, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            return null;
        } catch (IOException e) {
            return e.toString();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "interrupted";
        } finally {
            if (training != null && training.isAlive()) {
                training.descendants().forEach(ProcessHandle::destroyForcibly);
                training.destroyForcibly();
                try {
                    training.waitFor(10, TimeUnit.SECONDS); // gone before its half-written archive is removed
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            deleteQuietly(part);
            if (home != null) deleteTree(home);
        }
    }

    /** The archive's file name: a key of the JDK, then one of every jar on the kernel's class path (path, size, time). */
    static String fileName(Path java, Path jar) throws IOException {
        String jdk = hash(List.of(java.toString(), System.getProperty("java.vm.version")));
        Set<Path> jars = new LinkedHashSet<>(List.of(jar.toAbsolutePath().normalize()));
        for (String entry : KernelClassPath.entries()) jars.add(Path.of(entry).toAbsolutePath().normalize());
        List<String> parts = new ArrayList<>();
        for (Path p : jars) {
            if (Files.isRegularFile(p)) parts.add(p + "|" + Files.size(p) + "|" + Files.getLastModifiedTime(p));
        }
        return "kernel-" + jdk + "-" + hash(parts) + ".jsa";
    }

    private static String hash(List<String> parts) {
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            digest.update(String.join(File.pathSeparator, parts).getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest.digest()).substring(0, 12);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Archives of earlier builds for the same JDK: their jars are gone (an archive of another JDK may still be used). */
    private static void removeOthers(Path dir, Path keep) {
        String sameJdk = keep.getFileName().toString().replaceAll("-[0-9a-f]+\\.jsa$", "-");
        try (Stream<Path> files = Files.list(dir)) {
            files.filter(p -> p.getFileName().toString().startsWith(sameJdk) && p.toString().endsWith(".jsa")
                            && !p.equals(keep))
                    .forEach(ClassArchive::deleteQuietly);
        } catch (IOException e) {
            // an old archive left behind only takes room
        }
    }

    /** Why the training session gave up, from its log; null while it has not. */
    private static String gaveUp(Path log) {
        try (Stream<String> lines = Files.lines(log, StandardCharsets.UTF_8)) {
            return lines.filter(line -> line.startsWith(ArchiveTraining.GAVE_UP)).findFirst()
                    .map(line -> line.substring(ArchiveTraining.GAVE_UP.length())).orElse(null);
        } catch (IOException | java.io.UncheckedIOException e) {
            return null; // not written yet
        }
    }

    private static String tail(Path log) {
        try {
            // without the JVM's notes on classes it could not archive: they bury the training's own words
            List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8).stream()
                    .filter(line -> !line.matches("\\[[0-9.]+s\\]\\[\\w+\\]\\[cds.*")).toList();
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 15), lines.size()));
        } catch (IOException | RuntimeException e) {
            return "(no training log)";
        }
    }

    private static void deleteQuietly(Path p) {
        try {
            Files.deleteIfExists(p);
        } catch (IOException e) {
            // nothing more to do
        }
    }

    private static void deleteTree(Path dir) {
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(ClassArchive::deleteQuietly);
        } catch (IOException e) {
            // a temp folder left behind
        }
    }
}
