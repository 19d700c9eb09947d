package dev.lethe.part;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * A part as it reads in a recipe file, on one line (YAML flow style): what the parts' {@code toString} return, so
 * that a notebook or a log shows {@code {npo: {beta: 0.1}}} and every learning rate, and the text can be pasted
 * into a recipe. Each part is written by its {@link Kind}, every parameter included; a part inside it shows as its
 * own {@code toString} (or through a registry's kinds, {@link #fields(Kind, Object, Kinds)}); a part that no kind
 * writes shows as {@link #unknown}: a Java or Kotlin lambda as {@code custom objective (unnamed lambda)}.
 */
public final class PartText {
    private static final Kinds NONE = slot -> Map.of();

    private PartText() {}

    /**
     * {@code part} written by the first of {@code kinds} that handles it: {@code name} for a kind without
     * parameters, else {@code {name: {parameter: value, ...}}}.
     *
     * @throws IllegalStateException when none of {@code kinds} handles {@code part}
     */
    public static String of(Object part, List<? extends Kind<?>> kinds) {
        for (Kind<?> kind : kinds) {
            if (kind.handles().test(part)) {
                return FlowYaml.flow(Writing.display(NONE).part(kind, part));
            }
        }
        throw new IllegalStateException("none of the kinds " + kinds.stream().map(Kind::name).toList()
                + " writes a " + part.getClass().getName());
    }

    /**
     * {@code part}, of {@code slot}, written by the kinds of {@code registry} (inside parts too); one it has no
     * kind for shows as {@link #unknown}.
     */
    public static String part(Slot<?> slot, Object part, Kinds registry) {
        return FlowYaml.flow(Writing.display(registry).part(slot, part));
    }

    /**
     * The parameters of {@code part}, a {@code kind}, as the mapping a file holds under its key (an optimizer's
     * {@code {estimator: ..., transforms: [...]}}); absent optional values left out.
     */
    public static String fields(Kind<?> kind, Object part) {
        return fields(kind, part, NONE);
    }

    /**
     * {@link #fields(Kind, Object)} where the parts inside are written by the kinds of {@code registry} (those
     * it has no kind for as their own display).
     */
    public static String fields(Kind<?> kind, Object part, Kinds registry) {
        return FlowYaml.flow(Writing.display(registry).fields(kind, part));
    }

    /**
     * A custom part without a kind ({@code NamedObjective}): {@code name}, or {@code {name: {parameters}}} with
     * values shown as plain data where they are (numbers, text, lists, enums by their lower-case name), else as
     * their own display.
     */
    public static String named(String name, Map<String, ?> params) {
        if (params.isEmpty()) {
            return FlowYaml.string(name);
        }
        Map<String, @Nullable Object> shown = new LinkedHashMap<>();
        params.forEach((k, v) -> shown.put(k, plain(v)));
        return FlowYaml.flow(Map.of(name, shown));
    }

    private static @Nullable Object plain(@Nullable Object v) {
        if (v == null || v instanceof String || v instanceof Number || v instanceof Boolean) {
            return v;
        }
        if (v instanceof Enum<?> e) {
            return e.name().toLowerCase(Locale.ROOT);
        }
        if (v instanceof List<?> l) {
            List<@Nullable Object> out = new ArrayList<>();
            l.forEach(item -> out.add(plain(item)));
            return out;
        }
        if (v instanceof Map<?, ?> m) {
            Map<String, @Nullable Object> out = new LinkedHashMap<>();
            m.forEach((k, item) -> out.put(String.valueOf(k), plain(item)));
            return out;
        }
        return new FlowYaml.Verbatim(v.toString());
    }

    /**
     * The display of a part of {@code slot} that no kind writes: {@code custom <slot> (unnamed lambda)} for a
     * lambda or an anonymous class (their class names, {@code Line_3_jupyter$$Lambda$454}, say nothing),
     * {@code custom <slot> (<class>)} for a named class that does not describe itself, else its own
     * {@code toString}.
     */
    public static String unknown(Slot<?> slot, Object part) {
        Class<?> c = part.getClass();
        if (c.isSynthetic() || c.isHidden() || c.isAnonymousClass() || c.getName().contains("$$Lambda")) {
            return "custom " + slot.name() + " (unnamed lambda)";
        }
        try {
            if (c.getMethod("toString").getDeclaringClass() == Object.class) {
                return "custom " + slot.name() + " (" + c.getSimpleName() + ")";
            }
        } catch (NoSuchMethodException e) {
            throw new IllegalStateException("every class has toString", e);
        }
        return part.toString();
    }
}
