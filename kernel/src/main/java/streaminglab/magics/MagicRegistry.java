package streaminglab.magics;

import streaminglab.language.Spelling;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** The magics the kernel knows, by name; an unknown name gets the closest known ones. */
public final class MagicRegistry {
    private final Map<String, Magic> magics = new TreeMap<>();

    public void register(Magic magic) {
        magics.put(magic.name(), magic);
    }

    public Magic find(String name) {
        return magics.get(name);
    }

    public Collection<Magic> all() {
        return magics.values();
    }

    /** The known names closest to a mistyped one, best first (at most three). */
    public List<String> closest(String name, boolean cell) {
        List<String> candidates = new ArrayList<>();
        for (Magic m : magics.values()) {
            if (cell ? m.isCell() : m.isLine()) candidates.add(m.name());
        }
        candidates.sort(Comparator.comparingInt((String c) -> Spelling.distance(name, c)).thenComparing(c -> c));
        List<String> close = new ArrayList<>();
        for (String c : candidates) {
            int d = Spelling.distance(name, c);
            if (d <= Math.max(2, c.length() / 2) || c.startsWith(name) || name.startsWith(c)) close.add(c);
            if (close.size() == 3) break;
        }
        return close;
    }
}
