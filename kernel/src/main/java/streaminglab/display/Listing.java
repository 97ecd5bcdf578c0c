package streaminglab.display;

import io.github.spencerpark.jupyter.kernel.display.DisplayData;

import java.util.List;

/** A small table of strings with a header, for the magics' listings (%stream list, %socket status ...). */
public final class Listing {
    private Listing() {
    }

    public static DisplayData of(List<String> header, List<List<String>> rows) {
        StringBuilder text = new StringBuilder(String.join(" | ", header)).append('\n');
        for (List<String> row : rows) text.append(String.join(" | ", row)).append('\n');
        return Displays.of(text.toString().stripTrailing(), Html.grid(header, rows));
    }
}
