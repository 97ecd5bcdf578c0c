package streaminglab.display;

import io.github.spencerpark.jupyter.kernel.display.DisplayData;

/** What a cell shows: text for every front end, and HTML (made by {@link Html}) for those that draw it. */
public final class Displays {
    private Displays() {
    }

    public static DisplayData of(String text, String html) {
        DisplayData data = new DisplayData(text);
        data.putHTML(html);
        return data;
    }
}
