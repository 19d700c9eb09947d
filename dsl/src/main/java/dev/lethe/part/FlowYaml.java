package dev.lethe.part;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * Plain data (maps with string keys in order, lists, strings, numbers, booleans, null) as YAML on one line, in
 * flow style: <code>{npo: {beta: 0.1}}</code>. Strings are plain where YAML reads them back as the same string,
 * else double-quoted, with escapes for all but printable ASCII; the recipe codec's block writer formats its
 * scalars the same way. A {@link Verbatim} is written as it is: a part's own display inside another's.
 */
public final class FlowYaml {
    private static final Pattern PLAIN = Pattern.compile("[A-Za-z_/.][A-Za-z0-9_ ./+\\-]*");
    private static final Set<String> RESERVED = Set.of("true", "false", "yes", "no", "on", "off", "y", "n", "null",
            "~", ".inf", ".nan");

    private FlowYaml() {}

    /**
     * Text written as it is, not quoted: how {@link PartText} puts a part it has no kind for (a custom objective's
     * own display, an unnamed lambda) inside the display of another part.
     *
     * @param text the text
     */
    public record Verbatim(String text) {}

    /** {@code v} on one line in flow style: <code>{npo: {beta: 0.1}}</code>, {@code [retain, world]}, {@code 0.001}. */
    public static String flow(@Nullable Object v) {
        if (v instanceof Map<?, ?> m) {
            StringBuilder sb = new StringBuilder("{");
            for (Map.Entry<?, ?> e : m.entrySet()) {
                sb.append(sb.length() == 1 ? "" : ", ").append(string(e.getKey().toString())).append(": ")
                        .append(flow(e.getValue()));
            }
            return sb.append('}').toString();
        }
        if (v instanceof List<?> l) {
            StringBuilder sb = new StringBuilder("[");
            for (Object item : l) {
                sb.append(sb.length() == 1 ? "" : ", ").append(flow(item));
            }
            return sb.append(']').toString();
        }
        if (v == null) {
            return "null";
        }
        if (v instanceof Verbatim t) {
            return t.text();
        }
        if (v instanceof Double d) {
            return d.isNaN() ? ".nan" : d.isInfinite() ? (d > 0 ? ".inf" : "-.inf") : d.toString();
        }
        if (v instanceof Float f) {
            return flow(Double.valueOf(f.toString()));
        }
        if (v instanceof Number || v instanceof Boolean) {
            return v.toString();
        }
        return string(v.toString());
    }

    /** {@code s} plain where YAML reads it back as this string, else double-quoted. */
    public static String string(String s) {
        boolean plain = PLAIN.matcher(s).matches() && !s.endsWith(" ") && !s.contains(" #")
                && !RESERVED.contains(s.toLowerCase(Locale.ROOT)) && !numeric(s);
        return plain ? s : quoted(s);
    }

    /**
     * {@code s} double-quoted: printable ASCII as is (with {@code \\} and {@code \"} escaped), everything else
     * as a {@code \\uXXXX} or {@code \\UXXXXXXXX} escape, which YAML reads back to the same code points.
     */
    private static String quoted(String s) {
        StringBuilder sb = new StringBuilder("\"");
        s.codePoints().forEach(c -> {
            if (c == '"' || c == '\\') {
                sb.append('\\').append((char) c);
            } else if (c >= 0x20 && c < 0x7F) {
                sb.append((char) c);
            } else if (c <= 0xFFFF) {
                sb.append(String.format("\\u%04X", c));
            } else {
                sb.append(String.format("\\U%08X", c));
            }
        });
        return sb.append('"').toString();
    }

    private static boolean numeric(String s) {
        try {
            Double.parseDouble(s);
            return true;
        } catch (NumberFormatException e) {
            return s.startsWith(".") || s.startsWith("-.");
        }
    }
}
