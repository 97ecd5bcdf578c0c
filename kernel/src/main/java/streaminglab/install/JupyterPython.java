package streaminglab.install;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Locale;

/** Where Jupyter looks for kernelspecs: the user's data directory, or the sys.prefix of Jupyter's Python. */
final class JupyterPython {
    private JupyterPython() {
    }

    /** Jupyter's user data directory, as jupyter_core computes it. */
    static Path userDataDir() {
        String explicit = System.getenv("JUPYTER_DATA_DIR");
        if (explicit != null && !explicit.isBlank()) return Paths.get(explicit);
        String home = System.getProperty("user.home");
        String os = System.getProperty("os.name").toLowerCase(Locale.ROOT);
        if (os.contains("mac")) return Paths.get(home, "Library", "Jupyter");
        if (os.contains("win")) return Paths.get(System.getenv().getOrDefault("APPDATA", home), "jupyter");
        String xdg = System.getenv("XDG_DATA_HOME");
        return (xdg != null && !xdg.isBlank() ? Paths.get(xdg) : Paths.get(home, ".local", "share")).resolve("jupyter");
    }

    /** sys.prefix of the Python that runs `jupyter` (JUPYTER_PYTHON, else the one beside jupyter on PATH). */
    static String sysPrefix() throws IOException, InterruptedException {
        String python = System.getenv("JUPYTER_PYTHON");
        if (python == null || python.isBlank()) python = besideJupyter();
        Process p = new ProcessBuilder(python, "-c", "import sys; print(sys.prefix)").redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        if (p.waitFor() != 0 || out.isEmpty()) {
            throw new IOException("could not ask " + python + " for sys.prefix: " + out);
        }
        return out;
    }

    private static String besideJupyter() {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(java.io.File.pathSeparator)) {
            Path jupyter = Paths.get(dir, "jupyter");
            if (Files.isExecutable(jupyter)) {
                Path python = jupyter.getParent().resolve("python3");
                if (Files.isExecutable(python)) return python.toString();
            }
        }
        return "python3";
    }
}
