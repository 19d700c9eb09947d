package dev.lethe.part;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Turns parts back into plain data through the kinds of a registry ({@link Kinds}); for display
 * ({@link PartText}), a part no kind writes becomes its own display as a {@link FlowYaml.Verbatim}.
 */
public final class Writing {
    private final Kinds registry;
    private final boolean display;

    /** A writing whose parts are the kinds of {@code registry}. */
    public Writing(Kinds registry) {
        this(registry, false);
    }

    private Writing(Kinds registry, boolean display) {
        this.registry = registry;
        this.display = display;
    }

    /** A writing for display: the parts no kind of {@code registry} writes show as {@link PartText#unknown}. */
    static Writing display(Kinds registry) {
        return new Writing(registry, true);
    }

    /** {@code value}, a part of {@code slot}, as {@code name} or {@code {name: parameters}}. */
    @Nullable Object part(Slot<?> slot, Object value) {
        for (Kind<?> kind : registry.kinds(slot).values()) {
            if (kind.handles().test(value)) {
                return part(kind, value);
            }
        }
        if (display) {
            return new FlowYaml.Verbatim(PartText.unknown(slot, value));
        }
        throw new IllegalArgumentException("no " + slot.name() + " kind writes " + value.getClass().getName() + " ("
                + value + "); register its kind in the codec's PartRegistry (for a custom objective: "
                + "NamedObjective.kind, see docs/recipes.md)");
    }

    /** {@code value}, a part of {@code kind}, as {@code name} or {@code {name: parameters}}. */
    @Nullable Object part(Kind<?> kind, Object value) {
        if (kind.params().isEmpty()) {
            return kind.name();
        }
        Map<String, @Nullable Object> one = new LinkedHashMap<>();
        if (kind.inline()) {
            Object v = kind.values().apply(value).get(0);
            one.put(kind.name(), v == null ? null : kind.params().get(0).type().write(v, this));
        } else {
            one.put(kind.name(), fields(kind, value));
        }
        return one;
    }

    /** The parameters of {@code value}, a {@code kind}, as a mapping in parameter order; null values left out. */
    public Map<String, @Nullable Object> fields(Kind<?> kind, Object value) {
        List<?> values = kind.values().apply(value);
        if (values.size() != kind.params().size()) {
            throw new IllegalStateException(kind.name() + " gives " + values.size() + " values for "
                    + kind.params().size() + " parameters");
        }
        Map<String, @Nullable Object> out = new LinkedHashMap<>();
        for (int i = 0; i < values.size(); i++) {
            Object v = values.get(i);
            if (v != null) {
                out.put(kind.params().get(i).name(), kind.params().get(i).type().write(v, this));
            }
        }
        return out;
    }
}
