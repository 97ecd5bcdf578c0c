package streaminglab.spark;

import streaminglab.config.LabSettings;

import java.net.URI;

/**
 * The Spark UI's address as the notebook's reader can open it: Spark's own (http://127.0.0.1:4040) on a
 * machine, or the Jupyter server's proxy path (/user/NAME/proxy/4040/jobs/) where the browser cannot
 * reach the kernel's loopback, as in the Docker and Binder image (SPARK_LAB_UI_PROXY).
 */
public final class SparkUiLink {
    private final String proxyTemplate;
    private final String baseUrl;

    public SparkUiLink(LabSettings settings) {
        this.proxyTemplate = settings.sparkUiProxy();
        this.baseUrl = settings.jupyterBaseUrl();
    }

    /** uiWebUrl: the UI's address as Spark reports it, or null when the UI is off (the answer is null too). */
    public String forReader(String uiWebUrl) {
        if (uiWebUrl == null || proxyTemplate == null) return uiWebUrl;
        int port = URI.create(uiWebUrl).getPort();
        // {base} ends in "/": a template written as {base}/proxy/... must not give "//"
        return proxyTemplate.replace("{base}/", baseUrl).replace("{base}", baseUrl)
                .replace("{port}", String.valueOf(port));
    }
}
