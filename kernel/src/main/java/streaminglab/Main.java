package streaminglab;

import streaminglab.config.LabSettings;
import streaminglab.install.ArchiveTraining;
import streaminglab.install.KernelInstaller;
import streaminglab.kernel.KernelLaunch;

import java.util.Arrays;

/**
 * {@code java -jar spark-streaming-lab-kernel.jar CONNECTION_FILE} runs the kernel (Jupyter does
 * this); {@code install} and {@code uninstall} manage the kernelspec.
 */
public final class Main {
    private Main() {
    }

    public static void main(String[] args) throws Exception {
        if (!JavaVersionCheck.supported()) {
            System.err.println(JavaVersionCheck.message());
            System.exit(2);
        }
        if (args.length == 0 || args[0].equals("--help") || args[0].equals("-h")) {
            System.out.println(KernelInstaller.USAGE);
            return;
        }
        switch (args[0]) {
            case "install" -> System.exit(KernelInstaller.install(Arrays.copyOfRange(args, 1, args.length)));
            case "train" -> ArchiveTraining.run(); // see ClassArchive: run by the installer, not by hand
            case "uninstall" -> System.exit(KernelInstaller.uninstall(Arrays.copyOfRange(args, 1, args.length)));
            default -> KernelLaunch.run(args[0], LabSettings.fromEnvironment());
        }
    }

    /**
     * The long-term-support Javas the lab runs on: 17 and 25 are tested in CI (tests/test_java_versions.py),
     * 21 is accepted. Older ones cannot run Spark 3.5; Java 23+ could not either until the kernel brought
     * Hadoop's client 3.5.0 (see kernel/pom.xml). A Java between or beyond them is refused rather than left
     * to fail half-way through a lesson.
     */
    static final class JavaVersionCheck {
        static final java.util.List<Integer> SUPPORTED = java.util.List.of(17, 21, 25);

        static boolean supported() {
            return SUPPORTED.contains(Runtime.version().feature()) || Boolean.getBoolean("streaminglab.anyJava");
        }

        static String message() {
            return "Spark Streaming Lab needs Java 17, 21 or 25 (this is Java "
                    + Runtime.version().feature() + ", the Java at " + System.getProperty("java.home") + ").\n"
                    + "Install the kernel with a supported JDK, e.g.:\n"
                    + "  /usr/lib/jvm/java-17-openjdk-amd64/bin/java -jar spark-streaming-lab-kernel.jar install";
        }
    }
}
