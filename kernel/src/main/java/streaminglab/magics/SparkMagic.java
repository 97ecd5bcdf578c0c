package streaminglab.magics;

import streaminglab.display.Displays;
import streaminglab.display.Html;
import org.apache.spark.SparkContext;
import org.apache.spark.sql.SparkSession;
import streaminglab.language.Messages;
import streaminglab.spark.SparkStarter;

import java.util.LinkedHashMap;
import java.util.Map;

/** {@code %spark}: what the notebook's SparkSession is: version, master, UI link, key settings. */
public final class SparkMagic implements Magic {
    private static final String USAGE = Messages.text("spark.usage");

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
        return Messages.text("spark.summary");
    }

    @Override
    public String usage() {
        return USAGE;
    }

    @Override
    public Object run(MagicCall call) throws UsageError {
        if (!call.args().words().isEmpty()) {
            throw new UsageError(Messages.text("spark.no_arguments", call.args().raw().trim()), USAGE);
        }
        SparkSession session = spark.session();
        SparkContext sc = session.sparkContext();
        String link = spark.uiLink();
        String ui = link == null ? Messages.text("spark.ui_disabled") : link;
        String uiFact = Messages.text("spark.fact.ui");
        Map<String, String> facts = new LinkedHashMap<>();
        facts.put(Messages.text("spark.fact.version"), session.version());
        facts.put(Messages.text("spark.fact.master"), sc.master());
        facts.put(Messages.text("spark.fact.application"), sc.appName() + " (" + sc.applicationId() + ")");
        facts.put(uiFact, ui);
        facts.put("spark.sql.shuffle.partitions", session.conf().get("spark.sql.shuffle.partitions"));
        facts.put(Messages.text("spark.fact.parallelism"), String.valueOf(sc.defaultParallelism()));
        facts.put(Messages.text("spark.fact.heap"), (Runtime.getRuntime().maxMemory() >> 20) + " MB");
        facts.put(Messages.text("spark.fact.kafka"), Messages.text("spark.fact.kafka_value"));
        facts.put("Java", System.getProperty("java.version"));

        StringBuilder text = new StringBuilder();
        for (Map.Entry<String, String> e : facts.entrySet()) text.append(String.format("%-30s %s%n", e.getKey(), e.getValue()));
        return Displays.of(text.toString().stripTrailing(), Html.facts(facts, uiFact));
    }
}
