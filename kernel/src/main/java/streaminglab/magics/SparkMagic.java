package streaminglab.magics;

import io.github.spencerpark.jupyter.kernel.display.DisplayData;
import org.apache.spark.SparkContext;
import org.apache.spark.sql.SparkSession;
import streaminglab.spark.SparkStarter;

import java.util.LinkedHashMap;
import java.util.Map;

/** {@code %spark}: what the notebook's SparkSession is: version, master, UI link, key settings. */
public final class SparkMagic implements Magic {
    private static final String USAGE = String.join("\n",
            "%spark",
            "",
            "Shows the notebook's SparkSession (the `spark` variable): Spark version, master,",
            "application id, a link to the Spark UI, and the settings that matter in the lessons.");

    private final SparkStarter spark;

    public SparkMagic(SparkStarter spark) {
        this.spark = spark;
    }

    @Override
    public String name() {
        return "spark";
    }

    @Override
    public String summary() {
        return "show the SparkSession: version, master, Spark UI link, key settings";
    }

    @Override
    public String usage() {
        return USAGE;
    }

    @Override
    public Object run(MagicCall call) throws UsageError {
        if (!call.args().words().isEmpty()) {
            throw new UsageError("%spark takes no arguments, got '" + call.args().raw().trim() + "'.", USAGE);
        }
        SparkSession session = spark.session();
        SparkContext sc = session.sparkContext();
        String link = spark.uiLink();
        String ui = link == null ? "(disabled)" : link;
        Map<String, String> facts = new LinkedHashMap<>();
        facts.put("Spark version", session.version());
        facts.put("master", sc.master());
        facts.put("application", sc.appName() + " (" + sc.applicationId() + ")");
        facts.put("Spark UI", ui);
        facts.put("spark.sql.shuffle.partitions", session.conf().get("spark.sql.shuffle.partitions"));
        facts.put("default parallelism", String.valueOf(sc.defaultParallelism()));
        facts.put("driver heap", (Runtime.getRuntime().maxMemory() >> 20) + " MB");
        facts.put("Kafka source and sink", "built in (spark-sql-kafka-0-10)");
        facts.put("Java", System.getProperty("java.version"));

        StringBuilder text = new StringBuilder();
        StringBuilder html = new StringBuilder("<table style=\"border-collapse:collapse\">");
        for (Map.Entry<String, String> e : facts.entrySet()) {
            text.append(String.format("%-30s %s%n", e.getKey(), e.getValue()));
            String value = escape(e.getValue());
            if (e.getKey().equals("Spark UI") && link != null) {
                value = "<a href=\"" + value + "\" target=\"_blank\">" + value + "</a>";
            }
            html.append("<tr><th style=\"text-align:left\">").append(escape(e.getKey()))
                    .append("</th><td style=\"text-align:left\">").append(value).append("</td></tr>");
        }
        html.append("</table>");
        DisplayData data = new DisplayData(text.toString().stripTrailing());
        data.putHTML(html.toString());
        return data;
    }

    /** Package-private for the tests of every escape routine (SparkMagicEscapeTest). */
    static String escape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
