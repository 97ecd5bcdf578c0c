package streaminglab.display;

import org.apache.spark.sql.Row;
import scala.collection.Iterator;
import scala.collection.Seq;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/** How one value of a table cell reads: nulls as null, structs as {a: 1, b: x}, arrays as [..]. */
final class Cells {
    /** Longer values are cut, so a wide value cannot blow up a table. */
    static final int MAX_CHARS = 200;

    private Cells() {
    }

    static String text(Object value) {
        String s = format(value);
        return s.length() > MAX_CHARS ? s.substring(0, MAX_CHARS - 1) + "…" : s;
    }

    private static String format(Object value) {
        if (value == null) return "null";
        if (value instanceof Row) return struct((Row) value);
        if (value instanceof byte[]) return binary((byte[]) value);
        if (value instanceof Seq) return seq(((Seq<?>) value).iterator());
        if (value instanceof scala.collection.Map) return scalaMap((scala.collection.Map<?, ?>) value);
        if (value instanceof List) return "[" + String.join(", ", ((List<?>) value).stream().map(Cells::format).toList()) + "]";
        if (value instanceof Map) return javaMap((Map<?, ?>) value);
        if (value instanceof Object[]) return seq(scala.collection.JavaConverters.asScalaIterator(java.util.Arrays.asList((Object[]) value).iterator()));
        return value.toString();
    }

    private static String struct(Row row) {
        StringBuilder sb = new StringBuilder("{");
        String[] names = row.schema() != null ? row.schema().fieldNames() : null;
        for (int i = 0; i < row.length(); i++) {
            if (i > 0) sb.append(", ");
            if (names != null) sb.append(names[i]).append(": ");
            sb.append(format(row.get(i)));
        }
        return sb.append('}').toString();
    }

    private static String seq(Iterator<?> items) {
        StringBuilder sb = new StringBuilder("[");
        boolean first = true;
        while (items.hasNext()) {
            if (!first) sb.append(", ");
            sb.append(format(items.next()));
            first = false;
        }
        return sb.append(']').toString();
    }

    private static String scalaMap(scala.collection.Map<?, ?> map) {
        StringBuilder sb = new StringBuilder("{");
        Iterator<? extends scala.Tuple2<?, ?>> it = map.iterator();
        boolean first = true;
        while (it.hasNext()) {
            scala.Tuple2<?, ?> e = it.next();
            if (!first) sb.append(", ");
            sb.append(format(e._1())).append(" -> ").append(format(e._2()));
            first = false;
        }
        return sb.append('}').toString();
    }

    private static String javaMap(Map<?, ?> map) {
        StringBuilder sb = new StringBuilder("{");
        boolean first = true;
        for (Map.Entry<?, ?> e : map.entrySet()) {
            if (!first) sb.append(", ");
            sb.append(format(e.getKey())).append(" -> ").append(format(e.getValue()));
            first = false;
        }
        return sb.append('}').toString();
    }

    /** Text if the bytes are printable UTF-8 (Kafka keys and values usually are), else hex. */
    private static String binary(byte[] bytes) {
        String text = new String(bytes, StandardCharsets.UTF_8);
        boolean printable = text.chars().allMatch(c -> c >= 0x20 && c != 0xFFFD || c == '\t' || c == '\n');
        if (printable) return text;
        StringBuilder sb = new StringBuilder("0x");
        for (int i = 0; i < Math.min(bytes.length, 48); i++) sb.append(String.format("%02X", bytes[i]));
        if (bytes.length > 48) sb.append("…");
        return sb.toString();
    }
}
