package dev.lethe.recipe;

import dev.lethe.part.FlowYaml;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Writes plain data (maps with string keys in order, lists, strings, numbers, booleans, null) as block-style
 * YAML, deterministically: the same data always gives the same text. Lists of scalars are written in flow
 * style ({@code [retain, world]}); scalars as {@link FlowYaml} writes them (strings plain where YAML reads them
 * back as the same string, else double-quoted, with escapes for all but printable ASCII).
 */
public final class YamlWriter {
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
            out.append(FlowYaml.string(e.getKey().toString())).append(':');
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
            out.append(' ').append(FlowYaml.flow(v)).append('\n');
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
                out.append(FlowYaml.flow(item)).append('\n');
            }
        }
    }

    private static boolean allScalars(List<?> l) {
        return l.stream().noneMatch(i -> i instanceof Map<?, ?> || i instanceof List<?>);
    }

    /** {@code v} on one line in flow style: <code>{npo: {beta: 0.1}}</code> ({@link FlowYaml#flow}). */
    public static String flow(@Nullable Object v) {
        return FlowYaml.flow(v);
    }
}
