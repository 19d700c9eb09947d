package dev.lethe.recipe;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * Writes plain data (maps with string keys in order, lists, strings, numbers, booleans, null) as block-style
 * YAML, deterministically: the same data always gives the same text. Lists of scalars are written in flow
 * style ({@code [retain, world]}); strings are plain where YAML reads them back as the same string, else
 * double-quoted, with escapes for all but printable ASCII.
 */
public final class YamlWriter {
    private static final Pattern PLAIN = Pattern.compile("[A-Za-z_/.][A-Za-z0-9_ ./+\\-]*");
    private static final Set<String> RESERVED = Set.of("true", "false", "yes", "no", "on", "off", "y", "n", "null",
            "~", ".inf", ".nan");

    private final StringBuilder out = new StringBuilder();

    private YamlWriter() {}

    /** The YAML text of {@code root}, a mapping. */
    public static String write(Map<String, @Nullable Object> root) {
        YamlWriter w = new YamlWriter();
        w.map(root, 0, false);
        return w.out.toString();
    }

    private void map(Map<?, ?> m, int indent, boolean continueLine) {
        boolean first = true;
        for (Map.Entry<?, ?> e : m.entrySet()) {
            if (!(first && continueLine)) {
                out.append(" ".repeat(indent));
            }
            first = false;
            out.append(string(e.getKey().toString())).append(':');
            value(e.getValue(), indent);
        }
    }

    /** Writes what follows a key's colon (or a list's dash): the rest of the line and any block below. */
    private void value(@Nullable Object v, int indent) {
        if (v instanceof Map<?, ?> m && !m.isEmpty()) {
            out.append('\n');
            map(m, indent + 2, false);
        } else if (v instanceof List<?> l && !l.isEmpty() && !allScalars(l)) {
            out.append('\n');
            list(l, indent + 2);
        } else {
            out.append(' ').append(inline(v)).append('\n');
        }
    }

    private void list(List<?> l, int indent) {
        for (Object item : l) {
            out.append(" ".repeat(indent)).append("- ");
            if (item instanceof Map<?, ?> m && !m.isEmpty()) {
                map(m, indent + 2, true);
            } else if (item instanceof List<?> inner && !inner.isEmpty() && !allScalars(inner)) {
                out.append('\n');
                list(inner, indent + 2);
            } else {
                out.append(inline(item)).append('\n');
            }
        }
    }

    private static boolean allScalars(List<?> l) {
        return l.stream().noneMatch(i -> i instanceof Map<?, ?> || i instanceof List<?>);
    }

    /** {@code v} on one line in flow style: <code>{npo: {beta: 0.1}}</code>. */
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
        return inline(v);
    }

    private static String inline(@Nullable Object v) {
        if (v == null) {
            return "null";
        }
        if (v instanceof Map<?, ?>) {
            return "{}";
        }
        if (v instanceof List<?> l) {
            StringBuilder sb = new StringBuilder("[");
            for (int i = 0; i < l.size(); i++) {
                sb.append(i == 0 ? "" : ", ").append(inline(l.get(i)));
            }
            return sb.append(']').toString();
        }
        if (v instanceof Double d) {
            return d.isNaN() ? ".nan" : d.isInfinite() ? (d > 0 ? ".inf" : "-.inf") : d.toString();
        }
        if (v instanceof Float f) {
            return inline(Double.valueOf(f.toString()));
        }
        if (v instanceof Number || v instanceof Boolean) {
            return v.toString();
        }
        return string(v.toString());
    }

    /** {@code s} plain where YAML reads it back as this string, else double-quoted. */
    static String string(String s) {
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
