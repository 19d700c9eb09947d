package dev.lethe.part;

import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/** The checked parameter values a {@link Kind}'s factory builds its part from, by key. */
public final class Args {
    private final Map<String, @Nullable Object> values;
    private final Set<String> given;

    /**
     * The values of every parameter; {@code given} names those the file or the caller wrote with a value that is
     * not null (the others hold their defaults).
     */
    Args(Map<String, @Nullable Object> values, Set<String> given) {
        this.values = values;
        this.given = Set.copyOf(given);
    }

    /** Every parameter's value by name, in parameter order (null for an absent optional part). */
    public Map<String, @Nullable Object> values() {
        return Collections.unmodifiableMap(values);
    }

    /**
     * Whether {@code name} was written (by the file, or by the caller of {@link Kind#create}) with a value that is
     * not null, rather than left at its default: for a kind whose parameters form alternatives (a {@code reference}
     * that loads a folder takes no training parameters, even at their defaults).
     */
    public boolean given(String name) {
        if (!values.containsKey(name)) {
            throw new IllegalStateException("no parameter '" + name + "' was declared");
        }
        return given.contains(name);
    }

    /** The value of {@code name}, of the type its {@link ParamType} reads (null for an absent optional part). */
    @SuppressWarnings("unchecked")
    public <V> V get(String name) {
        if (!values.containsKey(name)) {
            throw new IllegalStateException("no parameter '" + name + "' was declared");
        }
        return (V) values.get(name);
    }

    /** A number parameter. */
    public double real(String name) {
        return this.<Double>get(name);
    }

    /** An {@code int} parameter. */
    public int integer(String name) {
        return this.<Integer>get(name);
    }

    /** A {@code long} parameter. */
    public long longInteger(String name) {
        return this.<Long>get(name);
    }

    /** A boolean parameter. */
    public boolean bool(String name) {
        return this.<Boolean>get(name);
    }

    /** A string parameter. */
    public String text(String name) {
        return get(name);
    }

    /** A list parameter. */
    public <V> List<V> list(String name) {
        return get(name);
    }
}
