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

    /** Spark 3.5 runs on Java 17 and 21; Java 22+ breaks it (Hadoop's Subject use), older cannot run the kernel. */
    static final class JavaVersionCheck {
        static boolean supported() {
            int v = Runtime.version().feature();
            return v >= 17 && v <= 21 || Boolean.getBoolean("streaminglab.anyJava");
        }

        static String message() {
            return "Spark Streaming Lab needs Java 17 or 21 (Spark 3.5 does not run on Java "
                    + Runtime.version().feature() + ", the Java at " + System.getProperty("java.home") + ").\n"
                    + "Install the kernel with a supported JDK, e.g.:\n"
                    + "  /usr/lib/jvm/java-17-openjdk-amd64/bin/java -jar spark-streaming-lab-kernel.jar install";
        }
    }
}
