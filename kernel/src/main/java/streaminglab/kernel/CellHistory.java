package streaminglab.kernel;

import io.github.spencerpark.jupyter.kernel.history.HistoryEntry;
import io.github.spencerpark.jupyter.kernel.history.HistoryManager;

import io.github.spencerpark.jupyter.messages.request.HistoryRequest;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/** The cells run in this kernel session, for history_request (tail, range and search). */
final class CellHistory implements HistoryManager {
    private static final int SESSION = 1;
    private final List<HistoryEntry> entries = new ArrayList<>();

    /** The entries a history_request asks for. */
    List<HistoryEntry> answer(HistoryRequest request) {
        Set<ResultFlag> flags = EnumSet.noneOf(ResultFlag.class);
        if (request.includeOutput()) flags.add(ResultFlag.INCLUDE_OUTPUT);
        if (!request.useRaw()) flags.add(ResultFlag.TRANSFORMED_INPUT);
        return switch (request.getAccessType()) {
            case TAIL -> lookupTail(((HistoryRequest.Tail) request).getMaxReturnLength(), flags);
            case RANGE -> {
                HistoryRequest.Range range = (HistoryRequest.Range) request;
                yield lookupRange(range.getSessionIndex(), range.getStart(), range.getStop(), flags);
            }
            case SEARCH -> {
                HistoryRequest.Search search = (HistoryRequest.Search) request;
                if (search.filterUnique()) flags.add(ResultFlag.UNIQUE);
                yield search(search.getPattern(), search.getMaxReturnLength(), flags);
            }
        };
    }

    synchronized void add(int executionCount, String input, String output) {
        entries.add(new HistoryEntry(SESSION, executionCount, input, output));
    }

    @Override
    public synchronized List<HistoryEntry> lookupTail(int length, Set<ResultFlag> flags) {
        int from = Math.max(0, entries.size() - Math.max(0, length));
        return shape(entries.subList(from, entries.size()), flags);
    }

    @Override
    public synchronized List<HistoryEntry> lookupRange(int sessionOffset, int startCell, int endCell, Set<ResultFlag> flags) {
        List<HistoryEntry> range = new ArrayList<>();
        if (sessionOffset != 0 && sessionOffset != SESSION) return range; // only this session is kept
        for (HistoryEntry e : entries) {
            if (e.getCellNumber() >= startCell && (endCell <= 0 || e.getCellNumber() < endCell)) range.add(e);
        }
        return shape(range, flags);
    }

    @Override
    public synchronized List<HistoryEntry> search(String pattern, int length, Set<ResultFlag> flags) {
        Pattern glob = Pattern.compile(globToRegex(pattern == null || pattern.isEmpty() ? "*" : pattern), Pattern.DOTALL);
        List<HistoryEntry> found = new ArrayList<>();
        for (HistoryEntry e : entries) if (glob.matcher(e.getInput()).matches()) found.add(e);
        if (flags.contains(ResultFlag.UNIQUE)) {
            Map<String, HistoryEntry> unique = new LinkedHashMap<>();
            for (HistoryEntry e : found) {
                unique.remove(e.getInput());
                unique.put(e.getInput(), e);
            }
            found = new ArrayList<>(unique.values());
        }
        if (length > 0 && found.size() > length) found = found.subList(found.size() - length, found.size());
        return shape(found, flags);
    }

    private static List<HistoryEntry> shape(List<HistoryEntry> entries, Set<ResultFlag> flags) {
        List<HistoryEntry> out = new ArrayList<>(entries.size());
        for (HistoryEntry e : entries) {
            out.add(flags.contains(ResultFlag.INCLUDE_OUTPUT)
                    ? e : new HistoryEntry(e.getSession(), e.getCellNumber(), e.getInput()));
        }
        return out;
    }

    private static String globToRegex(String glob) {
        StringBuilder sb = new StringBuilder();
        for (char c : glob.toCharArray()) {
            switch (c) {
                case '*' -> sb.append(".*");
                case '?' -> sb.append('.');
                default -> sb.append(Pattern.quote(String.valueOf(c)));
            }
        }
        return sb.toString();
    }
}
