package streaminglab.magics;

import streaminglab.display.Displays;
import streaminglab.display.Html;
import streaminglab.language.Messages;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

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
        private static final String USAGE = Messages.text("lsmagic.usage");

        @Override
        public String name() {
            return "lsmagic";
        }

        @Override
        public String summary() {
            return Messages.text("lsmagic.summary");
        }

        @Override
        public String usage() {
            return USAGE;
        }

        @Override
        public Object run(MagicCall call) throws UsageError {
            if (!call.args().words().isEmpty()) throw new UsageError(Messages.text("lsmagic.no_arguments"), USAGE);
            String title = Messages.text("lsmagic.title");
            StringBuilder text = new StringBuilder(title).append('\n');
            Map<String, String> magics = new LinkedHashMap<>();
            for (Magic m : registry.all()) {
                String name = prefix(m) + m.name();
                text.append(String.format("  %-14s %s%n", name, m.summary()));
                magics.put(name, m.summary());
            }
            return Displays.of(text.toString().stripTrailing(), Html.paragraph(title) + Html.facts(magics));
        }
    }

    private record Help(MagicRegistry registry) implements Magic {
        private static final String USAGE = Messages.text("help.usage");

        @Override
        public String name() {
            return "help";
        }

        @Override
        public String summary() {
            return Messages.text("help.summary");
        }

        @Override
        public String usage() {
            return USAGE;
        }

        @Override
        public Object run(MagicCall call) throws UsageError {
            List<String> words = call.args().words();
            if (words.size() > 1) throw new UsageError(Messages.text("help.one_name", words.size()), USAGE);
            if (words.isEmpty()) {
                return Messages.text("help.overview");
            }
            String name = words.get(0).replaceFirst("^%+", "");
            Magic magic = registry.find(name);
            if (magic == null) {
                List<String> close = registry.closest(name, false);
                close.addAll(registry.closest(name, true).stream().filter(c -> !close.contains(c)).toList());
                throw new UsageError(Messages.text("help.no_such_magic", name)
                        + (close.isEmpty() ? "" : Messages.text("magic.did_you_mean", String.join(", ", close))), USAGE);
            }
            return new Page(magic.usage()); // in the pager, as IPython answers %magic?
        }
    }
}
