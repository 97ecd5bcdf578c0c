package streaminglab.install;

import streaminglab.config.LabSettings;

import java.io.IOException;
import java.nio.charset.StandardCharsets;

/** Where Jupyter looks for kernelspecs: the sys.prefix of Jupyter's Python (the user's data directory: LabSettings). */
final class JupyterPython {
    private JupyterPython() {
    }

    /** sys.prefix of the Python that runs `jupyter` (LabSettings.jupyterPython). */
    static String sysPrefix(LabSettings settings) throws IOException, InterruptedException {
        String python = settings.jupyterPython();
        Process p = new ProcessBuilder(python, "-c", "import sys; print(sys.prefix)").redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        if (p.waitFor() != 0 || out.isEmpty()) {
            throw new IOException("could not ask " + python + " for sys.prefix: " + out);
        }
        return out;
    }
}
