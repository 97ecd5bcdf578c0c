package streaminglab.kernel;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

/**
 * The first paragraph of Spark's own documentation of a class or method, for Shift-Tab.
 *
 * JShell shows the Javadoc of what it finds in the JDK's src.zip only, and most of Spark's doc comments are in
 * Scala files anyway. The build copies Spark's published source jars beside the kernel's libraries
 * (kernel/pom.xml, target/lib/sources); this finds a declaration in them by the signature JShell gives
 * (`ReturnType pkg.Class.method(Type a, Type b)` or `pkg.Class`), reads the doc comment above it and keeps its
 * first paragraph as plain text. Scala and Java files are read alike: a comment is `/** … *&#47;` in both.
 */
final class SparkDocs {
    private static final Pattern SCALA_LINK = Pattern.compile("\\[\\[([^\\]\\s]+)(?:\\s+([^\\]]+))?]]");
    private static final Pattern JAVADOC_LINK = Pattern.compile("\\{@(?:link|linkplain)\\s+([^}\\s]+)(?:\\s+([^}]+))?}");
    private static final Pattern JAVADOC_CODE = Pattern.compile("\\{@(?:code|literal)\\s+([^}]*)}");
    private static final Pattern HTML_TAG = Pattern.compile("</?[a-zA-Z][^>]*>");

    private final List<ZipFile> jars;
    private final Map<String, String> files = new ConcurrentHashMap<>();

    private SparkDocs(List<ZipFile> jars) {
        this.jars = jars;
    }

    /** The source jars shipped beside the kernel's libraries; none (no documentation) when they are not there. */
    static SparkDocs shipped() {
        return Holder.SHIPPED;
    }

    private static final class Holder {
        static final SparkDocs SHIPPED = open(sourcesDir());
    }

    static SparkDocs open(Path dir) {
        List<ZipFile> jars = new ArrayList<>();
        if (dir != null && Files.isDirectory(dir)) {
            try (DirectoryStream<Path> found = Files.newDirectoryStream(dir, "*-sources.jar")) {
                for (Path jar : found) jars.add(new ZipFile(jar.toFile()));
            } catch (IOException e) {
                // no documentation, only signatures
            }
        }
        return new SparkDocs(jars);
    }

    /** kernel/target/lib/sources, beside the kernel jar (or beside target/classes when run from the classes). */
    private static Path sourcesDir() {
        try {
            Path here = Paths.get(SparkDocs.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            return here.toAbsolutePath().getParent().resolve("lib").resolve("sources");
        } catch (Exception e) {
            return null;
        }
    }

    /** The first paragraph documenting what a JShell signature names, or null when the sources do not say. */
    String firstParagraph(String signature) {
        if (jars.isEmpty()) return null;
        int paren = signature.indexOf('(');
        String head = withoutTypeArguments(paren < 0 ? signature : signature.substring(0, paren)).strip();
        String qualified = head.substring(head.lastIndexOf(' ') + 1);
        if (paren < 0) return classDoc(qualified);
        int dot = qualified.lastIndexOf('.');
        if (dot < 0) return null;
        String owner = qualified.substring(0, dot);
        String method = qualified.substring(dot + 1);
        int parameters = countParameters(signature.substring(paren + 1, signature.lastIndexOf(')')));
        String source = sourceOf(owner);
        return source == null ? null : memberDoc(source, method, parameters);
    }

    /** `Map<K, V> pkg.Dataset<T>.m` becomes `Map pkg.Dataset.m`. */
    private static String withoutTypeArguments(String text) {
        StringBuilder out = new StringBuilder();
        int depth = 0;
        for (char c : text.toCharArray()) {
            if (c == '<') depth++;
            else if (c == '>') depth = Math.max(0, depth - 1);
            else if (depth == 0) out.append(c);
        }
        return out.toString();
    }

    private String classDoc(String qualified) {
        String source = sourceOf(qualified);
        if (source == null) return null;
        String simple = qualified.substring(qualified.lastIndexOf('.') + 1);
        Matcher m = Pattern.compile("\\b(?:class|object|trait|interface|enum)\\s+" + Pattern.quote(simple) + "\\b")
                .matcher(source);
        while (m.find()) {
            String doc = docAbove(source, m.start());
            if (doc != null) return doc;
        }
        return null;
    }

    /**
     * Of the declarations of the name, the doc of one with as many parameters (the Java-specific one where Spark has
     * a Scala-specific twin), else the first documented.
     */
    private static String memberDoc(String source, String name, int parameters) {
        Matcher m = Pattern.compile("(?:\\bdef\\s+|\\bval\\s+|[\\w>\\]]\\s+)" + Pattern.quote(name) + "\\s*([\\[(:=])")
                .matcher(source);
        String first = null;
        String scalaOnly = null;
        while (m.find()) {
            String doc = docAbove(source, m.start());
            if (doc == null) continue;
            if (first == null) first = doc;
            int open = m.start(1);
            if (source.charAt(open) == '[') open = closing(source, open, '[', ']') + 1;
            while (open < source.length() && Character.isWhitespace(source.charAt(open))) open++;
            int count = 0;
            if (open < source.length() && source.charAt(open) == '(') {
                int close = closing(source, open, '(', ')');
                count = countParameters(source.substring(open + 1, Math.max(open + 1, close)));
            }
            if (count == parameters) {
                if (!doc.startsWith("(Scala-specific)")) return doc;
                if (scalaOnly == null) scalaOnly = doc;
            }
        }
        return scalaOnly != null ? scalaOnly : first;
    }

    /** The first paragraph of the doc comment right above a declaration (annotations and modifiers between). */
    private static String docAbove(String source, int declaration) {
        int lineStart = source.lastIndexOf('\n', declaration) + 1;
        String before = source.substring(lineStart, declaration).strip();
        if (!before.isEmpty() && !before.matches("[\\w\\[\\]@().\", ]*")) return null; // an expression, not a declaration
        int end = lineStart - 1;
        while (end > 0) {
            int from = source.lastIndexOf('\n', end - 1) + 1;
            String line = source.substring(from, end).strip();
            if (line.endsWith("*/")) {
                int open = source.lastIndexOf("/**", end);
                return open < 0 ? null : firstParagraphOf(source.substring(open + 3, source.lastIndexOf("*/", end)));
            }
            if (!line.isEmpty() && !line.startsWith("@") && !line.startsWith("//")) return null;
            end = from - 1;
        }
        return null;
    }

    static String firstParagraphOf(String comment) {
        StringBuilder text = new StringBuilder();
        for (String raw : comment.split("\n")) {
            String line = raw.strip();
            if (line.startsWith("*")) line = line.substring(1).strip();
            if (line.matches("::.*::")) continue; // Spark's ":: Experimental ::" marks, not the description
            if (line.isEmpty() || line.startsWith("@") || line.startsWith("{{{") || line.startsWith("<pre")
                    || (line.startsWith("<p>") && text.length() > 0)) {
                if (text.length() > 0) break;
                continue;
            }
            text.append(text.length() > 0 ? " " : "").append(line);
        }
        String plain = SCALA_LINK.matcher(text).replaceAll(m -> Matcher.quoteReplacement(linkText(m)));
        plain = JAVADOC_LINK.matcher(plain).replaceAll(m -> Matcher.quoteReplacement(linkText(m)));
        plain = JAVADOC_CODE.matcher(plain).replaceAll(m -> Matcher.quoteReplacement("`" + m.group(1) + "`"));
        plain = HTML_TAG.matcher(plain).replaceAll("").replace("'''", "").replace("''", "")
                .replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&");
        plain = plain.replaceAll("\\s+", " ").strip();
        return plain.isEmpty() ? null : plain;
    }

    /** [[pkg.Class text]] or {@link pkg.Class#m text}: the text, else the last part of the name. */
    private static String linkText(java.util.regex.MatchResult m) {
        if (m.group(2) != null) return m.group(2).strip();
        String target = m.group(1).replace('#', '.');
        if (target.endsWith(".")) target = target.substring(0, target.length() - 1);
        return "`" + target.substring(target.lastIndexOf('.') + 1) + "`";
    }

    /** The source of a class: pkg/Class.scala or .java; for a nested class, the file of the class around it. */
    private String sourceOf(String qualified) {
        String path = qualified.replace('.', '/');
        while (!path.isEmpty()) {
            for (String ext : new String[]{".scala", ".java"}) {
                String text = read(path + ext);
                if (text != null) return text;
            }
            int slash = path.lastIndexOf('/');
            if (slash < 0 || !Character.isUpperCase(path.charAt(slash + 1))) break;
            path = path.substring(0, slash);
        }
        if (qualified.indexOf('.') < 0) return bySimpleName(qualified); // JShell gave the simple name
        return null;
    }

    /** A class named without its package: the shortest path of that file name, e.g. sql/functions.scala. */
    private String bySimpleName(String simple) {
        List<String> candidates = new ArrayList<>();
        for (ZipFile jar : jars) {
            jar.stream().map(ZipEntry::getName)
                    .filter(n -> n.endsWith("/" + simple + ".scala") || n.endsWith("/" + simple + ".java"))
                    .forEach(candidates::add);
        }
        return candidates.stream().min(Comparator.comparingInt(String::length)).map(this::read).orElse(null);
    }

    private String read(String entry) {
        String cached = files.get(entry);
        if (cached != null) return cached;
        for (ZipFile jar : jars) {
            ZipEntry e = jar.getEntry(entry);
            if (e == null) continue;
            try (InputStream in = jar.getInputStream(e)) {
                String text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
                files.put(entry, text);
                return text;
            } catch (IOException ex) {
                return null;
            }
        }
        return null;
    }

    private static int closing(String s, int open, char in, char out) {
        int depth = 0;
        for (int i = open; i < s.length(); i++) {
            if (s.charAt(i) == in) depth++;
            if (s.charAt(i) == out && --depth == 0) return i;
        }
        return s.length();
    }

    /** Parameters in a list `A a, Map<K, V> b`: commas outside brackets, plus one. */
    static int countParameters(String list) {
        if (list.isBlank()) return 0;
        int depth = 0;
        int count = 1;
        for (int i = 0; i < list.length(); i++) {
            char c = list.charAt(i);
            boolean arrow = c == '>' && i > 0 && (list.charAt(i - 1) == '=' || list.charAt(i - 1) == '-'); // T => U
            if (c == '<' || c == '[' || c == '(') depth++;
            if ((c == '>' && !arrow) || c == ']' || c == ')') depth--;
            if (c == ',' && depth == 0) count++;
        }
        return count;
    }
}
