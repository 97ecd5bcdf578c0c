package streaminglab.magics;

import io.github.spencerpark.jupyter.kernel.display.DisplayData;

import java.util.List;

/** {@code %lsmagic} and {@code %help [NAME]}: what the magics are and how to call them. */
public final class HelpMagics {
    private HelpMagics() {
    }

    public static void registerInto(MagicRegistry registry) {
        registry.register(new LsMagic(registry));
        registry.register(new Help(registry));
    }

    static String prefix(Magic m) {
        return m.isLine() && m.isCell() ? "%/%%" : m.isCell() ? "%%" : "%";
    }

    private record LsMagic(MagicRegistry registry) implements Magic {
        private static final String USAGE = "%lsmagic\n\nLists every magic with one line on what it does.";

        @Override
        public String name() {
            return "lsmagic";
        }

        @Override
        public String summary() {
            return "list the magics";
        }

        @Override
        public String usage() {
            return USAGE;
        }

        @Override
        public Object run(MagicCall call) throws UsageError {
            if (!call.args().words().isEmpty()) throw new UsageError("%lsmagic takes no arguments.", USAGE);
            StringBuilder text = new StringBuilder("Magics (%help NAME for the details):\n");
            StringBuilder html = new StringBuilder("<p>Magics (<code>%help NAME</code> for the details):</p><table>");
            for (Magic m : registry.all()) {
                String name = prefix(m) + m.name();
                text.append(String.format("  %-14s %s%n", name, m.summary()));
                html.append("<tr><td style=\"text-align:left\"><code>").append(name).append("</code></td><td style=\"text-align:left\">")
                        .append(m.summary().replace("<", "&lt;")).append("</td></tr>");
            }
            html.append("</table>");
            DisplayData data = new DisplayData(text.toString().stripTrailing());
            data.putHTML(html.toString());
            return data;
        }
    }

    private record Help(MagicRegistry registry) implements Magic {
        private static final String USAGE = "%help [NAME]\n\nShows how to use the magic NAME (without the percent signs), "
                + "or, without a name, what the lab gives a notebook.";

        @Override
        public String name() {
            return "help";
        }

        @Override
        public String summary() {
            return "how to use a magic: %help NAME";
        }

        @Override
        public String usage() {
            return USAGE;
        }

        @Override
        public Object run(MagicCall call) throws UsageError {
            List<String> words = call.args().words();
            if (words.size() > 1) throw new UsageError("%help takes one magic name, got " + words.size() + ".", USAGE);
            if (words.isEmpty()) {
                return String.join("\n",
                        "Spark Streaming Lab: Java cells (JShell) with a SparkSession ready as `spark`.",
                        "  display(x)      show any value (a Dataset as a table) in the middle of a cell",
                        "  %lsmagic        list the magics;  %help NAME  one magic's usage",
                        "  Shift-Tab       signature of what is under the cursor;  Tab  completion");
            }
            String name = words.get(0).replaceFirst("^%+", "");
            Magic magic = registry.find(name);
            if (magic == null) {
                List<String> close = registry.closest(name, false);
                close.addAll(registry.closest(name, true).stream().filter(c -> !close.contains(c)).toList());
                throw new UsageError("There is no magic named '" + name + "'."
                        + (close.isEmpty() ? "" : " Did you mean " + String.join(", ", close) + "?"), USAGE);
            }
            return magic.usage();
        }
    }
}
