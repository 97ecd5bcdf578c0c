package streaminglab.exercises;

import io.github.spencerpark.jupyter.kernel.display.DisplayData;
import streaminglab.display.Displays;
import streaminglab.display.Html;
import streaminglab.language.Messages;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** The outcome of a check, said kindly: what is right, or what is off (expected vs got, as tables). */
public final class CheckResult {
    private static final int SHOW = 15;

    private final String title;
    private final boolean passed;
    private final String summary;
    private final List<String> columns;
    private final List<List<String>> expected;
    private final List<List<String>> got;
    private final List<List<String>> missing;
    private final List<List<String>> unexpected;
    private final List<String> hints;

    private CheckResult(String title, boolean passed, String summary, List<String> columns, List<List<String>> expected,
                        List<List<String>> got, List<List<String>> missing, List<List<String>> unexpected, List<String> hints) {
        this.title = title;
        this.passed = passed;
        this.summary = summary;
        this.columns = columns;
        this.expected = expected;
        this.got = got;
        this.missing = missing;
        this.unexpected = unexpected;
        this.hints = hints;
    }

    static CheckResult problem(String title, String message, List<String> hints) {
        return new CheckResult(title, false, message, List.of(), List.of(), List.of(), List.of(), List.of(), hints);
    }

    static CheckResult compare(String title, List<String> columns, List<List<String>> expected, List<List<String>> got,
                               boolean ordered, List<String> hints) {
        List<List<String>> missing = new ArrayList<>();
        List<List<String>> unexpected = new ArrayList<>();
        Map<List<String>, Integer> left = new HashMap<>();
        for (List<String> r : got) left.merge(r, 1, Integer::sum);
        for (List<String> r : expected) {
            Integer n = left.get(r);
            if (n == null || n == 0) missing.add(r);
            else left.put(r, n - 1);
        }
        left.forEach((r, n) -> {
            for (int i = 0; i < n; i++) unexpected.add(r);
        });
        boolean sameRows = missing.isEmpty() && unexpected.isEmpty();
        boolean rightOrder = !ordered || expected.equals(got);
        String summary;
        if (sameRows && rightOrder) {
            summary = Messages.text("check.all_right", expected.size());
        } else if (sameRows) {
            summary = Messages.text("check.wrong_order");
        } else {
            summary = Messages.text("check.some_right", expected.size() - missing.size(), expected.size(),
                    Messages.text(missing.size() == 1 ? "check.rows_missing.one" : "check.rows_missing.many", missing.size()),
                    Messages.text(unexpected.size() == 1 ? "check.rows_unexpected.one" : "check.rows_unexpected.many",
                            unexpected.size()));
        }
        return new CheckResult(title, sameRows && rightOrder, summary, columns, expected, got, missing, unexpected, hints);
    }

    public boolean passed() {
        return passed;
    }

    public String summary() {
        return summary;
    }

    public String title() {
        return title;
    }

    /** The text the error carries when the check did not pass. */
    public String failureText() {
        StringBuilder sb = new StringBuilder(Messages.text("check.failure", summary));
        for (String h : hints) sb.append('\n').append(Messages.text("check.hint", h));
        return sb.toString();
    }

    public DisplayData render() {
        String verdict = Messages.text(passed ? "check.passed" : "check.not_passed") + " ";
        String mark = passed ? "✔ " : "✘ ";
        StringBuilder text = new StringBuilder(mark).append(title).append(": ").append(verdict).append(summary).append('\n');
        List<String> html = new ArrayList<>();
        html.add(Html.paragraph(Html.line().bold(mark + title).text(": " + verdict + summary)));
        if (!passed) {
            if (!missing.isEmpty()) section(text, html, Messages.text("check.section.missing"), missing);
            if (!unexpected.isEmpty()) section(text, html, Messages.text("check.section.unexpected"), unexpected);
            if (!expected.isEmpty()) {
                section(text, html, Messages.text("check.section.expected"), expected);
                section(text, html, Messages.text("check.section.yours"), got);
            }
            for (String h : hints) {
                text.append(Messages.text("check.hint", h)).append('\n');
                html.add(Html.paragraph("💡 " + h));
            }
        }
        return Displays.of(text.toString().stripTrailing(),
                Html.markedSection("check", passed ? Html.Tone.GOOD : Html.Tone.WARN, html.toArray(String[]::new)));
    }

    private void section(StringBuilder text, List<String> html, String label, List<List<String>> rows) {
        text.append(label).append(":\n");
        html.add(Html.paragraph(label + ":"));
        List<List<String>> shown = rows.subList(0, Math.min(SHOW, rows.size()));
        for (List<String> r : shown) text.append("  ").append(String.join(" | ", r)).append('\n');
        html.add(Html.grid(columns, shown));
        if (rows.size() > SHOW) {
            String more = Messages.text("check.more_rows", rows.size() - SHOW);
            text.append("  ").append(more).append('\n');
            html.add(Html.note(more));
        }
    }
}
