package streaminglab.install;

import streaminglab.config.LabSettings;

import com.google.gson.GsonBuilder;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Writes (or removes) the kernelspec that makes "Spark Streaming (Java)" appear in Jupyter:
 * kernel.json with the java command, Spark's --add-opens list and the heap setting, and logos.
 */
public final class KernelInstaller {
    public static final String DEFAULT_NAME = "spark-streaming-java";
    public static final String DISPLAY_NAME = "Spark Streaming (Java)";

    public static final String USAGE = String.join("\n",
            "Spark Streaming Lab kernel",
            "",
            "  java -jar spark-streaming-lab-kernel.jar install [--user | --sys-prefix | --prefix DIR]",
            "                                               [--name NAME] [--display-name TEXT] [--heap SIZE]",
            "                                               [--no-class-archive]",
            "  java -jar spark-streaming-lab-kernel.jar uninstall [--user | --sys-prefix | --prefix DIR] [--name NAME]",
            "  java -jar spark-streaming-lab-kernel.jar CONNECTION_FILE      (what Jupyter runs)",
            "",
            "  --user          install for this user (default)",
            "  --sys-prefix    install into the Python environment that runs Jupyter",
            "  --prefix DIR    install into DIR/share/jupyter/kernels",
            "  --name NAME     kernelspec name (default " + DEFAULT_NAME + ")",
            "  --heap SIZE     the kernel's heap, e.g. 2g (default: 40% of the memory the machine or container has)",
            "  --no-class-archive  skip the class archive (a ~140 MB file beside the jar, written by a short",
            "                  training session at install, that makes each kernel start ~2.5 s sooner)");

    /**
     * Spark's own list (JavaModuleOptions) of what it needs opened on Java 17+, and the netty
     * setting Spark's launcher adds.
     */
    static final List<String> SPARK_JAVA_OPTIONS = List.of(
            "-XX:+IgnoreUnrecognizedVMOptions",
            "--add-opens=java.base/java.lang=ALL-UNNAMED",
            "--add-opens=java.base/java.lang.invoke=ALL-UNNAMED",
            "--add-opens=java.base/java.lang.reflect=ALL-UNNAMED",
            "--add-opens=java.base/java.io=ALL-UNNAMED",
            "--add-opens=java.base/java.net=ALL-UNNAMED",
            "--add-opens=java.base/java.nio=ALL-UNNAMED",
            "--add-opens=java.base/java.util=ALL-UNNAMED",
            "--add-opens=java.base/java.util.concurrent=ALL-UNNAMED",
            "--add-opens=java.base/java.util.concurrent.atomic=ALL-UNNAMED",
            "--add-opens=java.base/jdk.internal.ref=ALL-UNNAMED",
            "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED",
            "--add-opens=java.base/sun.nio.cs=ALL-UNNAMED",
            "--add-opens=java.base/sun.security.action=ALL-UNNAMED",
            "--add-opens=java.base/sun.util.calendar=ALL-UNNAMED",
            "-Djdk.reflect.useDirectMethodHandle=false",
            "-Dio.netty.tryReflectionSetAccessible=true");

    /** The kernel's heap as a share of the memory the JVM sees (the machine's, or the container's limit). */
    static final int IDLE_GC_INTERVAL_MS = 10_000;

    private KernelInstaller() {
    }

    public static int install(String[] args) {
        try {
            Options o = Options.parse(args, true);
            Path dir = o.kernelsDir().resolve(o.name);
            Files.createDirectories(dir);
            Path archive = o.classArchive
                    ? ClassArchive.ensure(javaCommand(), jvmOptions(o), kernelJar(), dir, System.out) : null;
            Files.writeString(dir.resolve("kernel.json"), kernelJson(o, archive), StandardCharsets.UTF_8);
            KernelLogo.writeInto(dir);
            System.out.println("Installed kernelspec " + o.name + " (\"" + o.displayName + "\") in " + dir);
            return 0;
        } catch (IllegalArgumentException e) {
            System.err.println(e.getMessage() + "\n\n" + USAGE);
            return 2;
        } catch (IOException | URISyntaxException | InterruptedException e) {
            System.err.println("Could not install the kernelspec: " + e);
            return 1;
        }
    }

    public static int uninstall(String[] args) {
        try {
            Options o = Options.parse(args, false);
            Path dir = o.kernelsDir().resolve(o.name);
            if (!Files.exists(dir)) {
                System.out.println("No kernelspec " + o.name + " in " + o.kernelsDir() + ": nothing to remove.");
                return 0;
            }
            try (Stream<Path> files = Files.walk(dir)) {
                for (Path p : files.sorted(Comparator.reverseOrder()).toList()) Files.delete(p);
            }
            System.out.println("Removed kernelspec " + o.name + " from " + dir);
            return 0;
        } catch (IllegalArgumentException e) {
            System.err.println(e.getMessage() + "\n\n" + USAGE);
            return 2;
        } catch (IOException | InterruptedException e) {
            System.err.println("Could not remove the kernelspec: " + e);
            return 1;
        }
    }

    /** archive: the class archive the kernel maps, or null for none. */
    static String kernelJson(Options o, Path archive) throws URISyntaxException {
        List<String> argv = new ArrayList<>();
        argv.add(javaCommand().toString());
        argv.addAll(jvmOptions(o));
        if (archive != null) {
            // JDK 17.0.x maps an archive at a random address and then rewrites every pointer in it, which copies
            // all of it into the kernel's private memory: 664 MB idle RSS against 464 without an archive. At the
            // address it was written for it stays a shared, clean file mapping: 400 MB. The random address is a
            // hardening against exploits; a kernel runs its user's own code anyway, with that user's rights.
            argv.add("-XX:+UnlockDiagnosticVMOptions");
            argv.add("-XX:ArchiveRelocationMode=0");
            argv.add("-XX:SharedArchiveFile=" + archive);
        }
        argv.add("-jar");
        argv.add(kernelJar().toString());
        argv.add("{connection_file}");

        Map<String, Object> spec = new LinkedHashMap<>();
        spec.put("argv", argv);
        spec.put("display_name", o.displayName);
        spec.put("language", "java");
        spec.put("interrupt_mode", "message");
        spec.put("env", Map.of());
        spec.put("metadata", Map.of("debugger", false));
        return new GsonBuilder().setPrettyPrinting().disableHtmlEscaping().create().toJson(spec) + "\n";
    }

    static Path kernelJar() throws URISyntaxException {
        return Paths.get(KernelInstaller.class.getProtectionDomain().getCodeSource().getLocation().toURI())
                .toAbsolutePath();
    }

    static Path javaCommand() {
        return Paths.get(System.getProperty("java.home"), "bin", "java");
    }

    /** The kernel JVM's options: Spark's, the heap, the garbage collector's. */
    static List<String> jvmOptions(Options o) {
        List<String> options = new ArrayList<>(SPARK_JAVA_OPTIONS);
        if (o.heap != null) {
            options.add("-Xmx" + o.heap);
        } else {
            // Sized from the container's memory limit, not the host's. 40 %, not half: on Binder's 2 GB the
            // 820 MB heap runs every lesson, and leaves room for the JVM's ~330 MB outside the heap, the
            // embedded broker and the Jupyter server (docs/deploy.md, "Memory", has the measurements).
            options.add("-XX:MaxRAMPercentage=" + LabSettings.HEAP_PERCENT_OF_MEMORY);
        }
        options.add("-XX:+UseG1GC");
        // G1 gives memory back only after a GC cycle, and only down to 70 % free by default; an idle notebook has
        // no cycle, so it would keep what Spark's start-up touched. A cycle after 10 s without one, and at most
        // 30 % free after it, bring the idle kernel with its session from ~620-730 to ~490 MB RSS.
        options.add("-XX:G1PeriodicGCInterval=" + IDLE_GC_INTERVAL_MS);
        options.add("-XX:MaxHeapFreeRatio=30");
        options.add("-XX:MinHeapFreeRatio=10");
        options.add("-XX:-OmitStackTraceInFastThrow"); // exceptions in cells keep their messages
        return options;
    }

    /** Where and what to install, from the command line. */
    static final class Options {
        String name = DEFAULT_NAME;
        String displayName = DISPLAY_NAME;
        String heap;
        Path prefix;
        boolean sysPrefix;
        boolean classArchive = true;

        static Options parse(String[] args, boolean installing) {
            Options o = new Options();
            for (int i = 0; i < args.length; i++) {
                String a = args[i];
                switch (a) {
                    case "--user" -> { }
                    case "--sys-prefix" -> o.sysPrefix = true;
                    case "--no-class-archive" -> o.classArchive = false;
                    case "--prefix" -> o.prefix = Paths.get(value(args, ++i, a));
                    case "--name" -> o.name = value(args, ++i, a);
                    case "--display-name" -> o.displayName = value(args, ++i, a);
                    case "--heap" -> {
                        o.heap = value(args, ++i, a).toLowerCase();
                        if (!o.heap.matches("\\d+[kmg]")) {
                            throw new IllegalArgumentException("--heap needs a size like 1g or 1536m, not '" + o.heap + "'.");
                        }
                    }
                    default -> throw new IllegalArgumentException("Unknown argument '" + a + "'.");
                }
            }
            if (!o.name.matches("[A-Za-z0-9._-]+")) {
                throw new IllegalArgumentException("--name may hold letters, digits, '.', '_' and '-' only, not '" + o.name + "'.");
            }
            if (o.prefix != null && o.sysPrefix) {
                throw new IllegalArgumentException("Choose one of --sys-prefix and --prefix.");
            }
            return o;
        }

        private static String value(String[] args, int i, String option) {
            if (i >= args.length) throw new IllegalArgumentException(option + " needs a value.");
            return args[i];
        }

        Path kernelsDir() throws IOException, InterruptedException {
            if (prefix != null) return prefix.toAbsolutePath().resolve("share/jupyter/kernels");
            if (sysPrefix) return Paths.get(JupyterPython.sysPrefix(LabSettings.fromEnvironment())).resolve("share/jupyter/kernels");
            return LabSettings.fromEnvironment().jupyterDataDir().resolve("kernels");
        }
    }
}
