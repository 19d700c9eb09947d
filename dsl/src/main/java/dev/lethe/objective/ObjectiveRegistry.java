package dev.lethe.objective;

import dev.lethe.data.Split;
import dev.lethe.util.Names;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * Objectives by name, so that a recipe file can say {@code objective: npo, beta: 0.2} (DESIGN.md,
 * "Objectives": custom objectives are lambdas, registered by name to appear in a recipe). Unlike
 * open-unlearning's lookup of trainer classes by name, an entry is a factory from parameters to an
 * {@link Objective} value, and a custom lambda registers exactly as a built-in does.
 *
 * <p>{@link #standard()} holds every built-in with the parameter names and defaults of {@link Objectives}
 * (the papers' values, cited there): {@code ga}, {@code grad_diff}, {@code npo}, {@code simnpo}, {@code idk},
 * {@code dpo}, {@code flat}, {@code kl_retain}, {@code inverted_hinge}, {@code catnip}, {@code nll},
 * {@code rmu}, {@code concept_correction}; and two combined objectives whose {@code forget} and
 * {@code retain} parameters name other registered objectives (taken with their defaults, the retain one
 * times {@code retain_weight}): {@code conflict_projection} and {@code stable_un}. A parameter is a number (or a string holding one), a split name ({@code "forget"}), or a
 * name for the FLAT divergence and RMU's layer ({@code "middle"}). An unknown objective name fails with the
 * known names and the close ones (Levenshtein distance ≤ 2); an unknown parameter of an entry registered with
 * its defaults fails naming the known parameters. A registry is not thread-safe; fill it, then share it.
 */
public final class ObjectiveRegistry {
    private final Map<String, Entry> entries = new LinkedHashMap<>();

    /** What one name stands for: its declared parameters (null when undeclared) and its factory. */
    private record Entry(@Nullable Map<String, Object> defaults, Function<Map<String, Object>, Objective> factory) {}

    /** An empty registry. */
    public ObjectiveRegistry() {}

    /** A new registry holding every built-in objective (see the class comment); add to it freely. */
    public static ObjectiveRegistry standard() {
        ObjectiveRegistry r = new ObjectiveRegistry();
        r.register("ga", ordered("split", "forget"), p -> new GradientAscent(split(p, "ga", "split")));
        r.register("grad_diff", ordered("alpha", 1.0), p -> new GradDiff(number(p, "grad_diff", "alpha")));
        r.register("npo", ordered("beta", 0.1), p -> new Npo(number(p, "npo", "beta")));
        r.register("simnpo", ordered("beta", 2.5, "gamma", 0.0),
                p -> new SimNpo(number(p, "simnpo", "beta"), number(p, "simnpo", "gamma")));
        r.register("idk", ordered("split", "forget"), p -> new Idk(split(p, "idk", "split")));
        r.register("dpo", ordered("beta", 0.1), p -> new Dpo(number(p, "dpo", "beta")));
        r.register("flat", ordered("divergence", "total_variation"), p -> new Flat(divergence(p)));
        r.register("kl_retain", ordered("split", "retain"), p -> new KlRetain(split(p, "kl_retain", "split")));
        r.register("inverted_hinge", ordered("split", "forget"),
                p -> new InvertedHinge(split(p, "inverted_hinge", "split")));
        r.register("catnip", ordered("beta", 0.1, "k", 1.0),
                p -> new CatnipStyle(number(p, "catnip", "beta"), number(p, "catnip", "k")));
        r.register("nll", ordered("splits", "retain"), p -> new Nll(splits(p)));
        r.register("rmu", ordered("layer", "middle", "steering_coefficient", 6.5, "alpha", 100.0, "seed", 0L),
                p -> new Rmu(layer(p), number(p, "rmu", "steering_coefficient"), number(p, "rmu", "alpha"),
                        integer(p, "rmu", "seed")));
        r.register("concept_correction", ordered("anchor", "holdout", "layer", "last", "learning_rate", 0.05,
                "weight_decay", 0.001, "discriminator_steps", 1L),
                p -> new ConceptCorrection(split(p, "concept_correction", "anchor"), lastLayer(p),
                        number(p, "concept_correction", "learning_rate"),
                        number(p, "concept_correction", "weight_decay"),
                        Math.toIntExact(integer(p, "concept_correction", "discriminator_steps"))));
        r.register("conflict_projection", ordered("forget", "npo", "retain", "kl_retain", "retain_weight", 1.0),
                p -> Objectives.conflictProjection(part(r, p, "conflict_projection", "forget"),
                        part(r, p, "conflict_projection", "retain")
                                .times(number(p, "conflict_projection", "retain_weight"))));
        r.register("stable_un", ordered("forget", "npo", "retain", "kl_retain", "retain_weight", 1.0,
                "rho", 0.05, "points", 1L, "seed", 0L),
                p -> Objectives.stableUn(part(r, p, "stable_un", "forget"),
                        part(r, p, "stable_un", "retain").times(number(p, "stable_un", "retain_weight")),
                        number(p, "stable_un", "rho"), Math.toIntExact(integer(p, "stable_un", "points")),
                        integer(p, "stable_un", "seed")));
        return r;
    }

    /**
     * Registers {@code factory} under {@code name} without declared parameters: {@link #create} passes the
     * parameters as given. For custom lambdas: {@code register("mine", p -> step -> ...)}.
     *
     * @return this registry
     */
    public ObjectiveRegistry register(String name, Function<Map<String, Object>, Objective> factory) {
        return put(name, null, factory);
    }

    /**
     * Registers {@code factory} under {@code name} with its parameters and their defaults: {@link #create}
     * fills in the missing ones and rejects unknown ones.
     *
     * @return this registry
     */
    public ObjectiveRegistry register(String name, Map<String, Object> defaults,
            Function<Map<String, Object>, Objective> factory) {
        return put(name, Collections.unmodifiableMap(new LinkedHashMap<>(defaults)), factory);
    }

    private ObjectiveRegistry put(String name, @Nullable Map<String, Object> defaults,
            Function<Map<String, Object>, Objective> factory) {
        if (name.isBlank()) {
            throw new IllegalArgumentException("an objective's name must not be blank");
        }
        if (entries.containsKey(name)) {
            throw new IllegalArgumentException("an objective named '" + name + "' is already registered");
        }
        entries.put(name, new Entry(defaults, factory));
        return this;
    }

    /** The registered names, in registration order. */
    public Set<String> names() {
        return Collections.unmodifiableSet(entries.keySet());
    }

    /** The declared parameters of {@code name} with their defaults, in order; empty when none were declared. */
    public Map<String, Object> defaults(String name) {
        Map<String, Object> d = entry(name).defaults();
        return d == null ? Map.of() : d;
    }

    /** The objective {@code name} with its default parameters. */
    public Objective create(String name) {
        return create(name, Map.of());
    }

    /** The objective {@code name} with {@code params} (missing declared parameters take their defaults). */
    public Objective create(String name, Map<String, Object> params) {
        Entry e = entry(name);
        Map<String, Object> d = e.defaults();
        if (d == null) {
            return e.factory().apply(Collections.unmodifiableMap(new LinkedHashMap<>(params)));
        }
        for (String key : params.keySet()) {
            if (!d.containsKey(key)) {
                throw new IllegalArgumentException("objective '" + name + "' has no parameter '" + key + "'; it has "
                        + (d.isEmpty() ? "none" : String.join(", ", d.keySet())));
            }
        }
        Map<String, Object> merged = new LinkedHashMap<>(d);
        merged.putAll(params);
        return e.factory().apply(Collections.unmodifiableMap(merged));
    }

    private Entry entry(String name) {
        Entry e = entries.get(name);
        if (e == null) {
            throw new IllegalArgumentException(unknown(name));
        }
        return e;
    }

    private String unknown(String name) {
        return "unknown objective '" + name + "'" + Names.didYouMean(name, entries.keySet()) + " Known objectives: "
                + String.join(", ", entries.keySet());
    }

    private static Map<String, Object> ordered(Object... keysAndValues) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            m.put((String) keysAndValues[i], keysAndValues[i + 1]);
        }
        return m;
    }

    private static Object value(Map<String, Object> p, String objective, String key) {
        Object v = p.get(key);
        if (v == null) {
            throw new IllegalArgumentException("objective '" + objective + "' needs parameter '" + key + "'");
        }
        return v;
    }

    private static IllegalArgumentException badValue(String objective, String key, Object v, String expected) {
        return new IllegalArgumentException("objective '" + objective + "', parameter '" + key + "': expected "
                + expected + ", got " + v);
    }

    private static double number(Map<String, Object> p, String objective, String key) {
        Object v = value(p, objective, key);
        if (v instanceof Number n) {
            return n.doubleValue();
        }
        try {
            return Double.parseDouble(v.toString().trim());
        } catch (NumberFormatException e) {
            throw badValue(objective, key, v, "a number");
        }
    }

    private static long integer(Map<String, Object> p, String objective, String key) {
        double d = number(p, objective, key);
        if (d != Math.rint(d) || Math.abs(d) > (1L << 53)) {
            throw badValue(objective, key, p.get(key), "an integer");
        }
        return (long) d;
    }

    private static Split split(Map<String, Object> p, String objective, String key) {
        return toSplit(value(p, objective, key), objective, key);
    }

    private static Split toSplit(Object v, String objective, String key) {
        if (v instanceof Split s) {
            return s;
        }
        try {
            return Split.of(v.toString().trim());
        } catch (IllegalArgumentException e) {
            throw badValue(objective, key, v, "a split (forget, retain, holdout or world)");
        }
    }

    private static List<Split> splits(Map<String, Object> p) {
        Object v = value(p, "nll", "splits");
        List<Split> out = new ArrayList<>();
        if (v instanceof Iterable<?> items) {
            for (Object item : items) {
                out.add(toSplit(item, "nll", "splits"));
            }
        } else if (v instanceof Split s) {
            out.add(s);
        } else {
            for (String part : v.toString().split(",")) {
                out.add(toSplit(part, "nll", "splits"));
            }
        }
        return out;
    }

    private static Flat.Divergence divergence(Map<String, Object> p) {
        Object v = value(p, "flat", "divergence");
        if (v instanceof Flat.Divergence d) {
            return d;
        }
        String name = v.toString().trim().toUpperCase(Locale.ROOT).replace('-', '_');
        for (Flat.Divergence d : Flat.Divergence.values()) {
            if (d.name().equals(name) || (name.equals("TV") && d == Flat.Divergence.TOTAL_VARIATION)
                    || (name.equals("JS") && d == Flat.Divergence.JENSEN_SHANNON)) {
                return d;
            }
        }
        throw badValue("flat", "divergence", v, "kl, total_variation (tv), jensen_shannon (js) or pearson");
    }

    /** A part of a combined objective: the name of another registered objective, with its defaults. */
    private static Objective part(ObjectiveRegistry registry, Map<String, Object> p, String objective, String key) {
        Object v = value(p, objective, key);
        if (v instanceof Objective o) {
            return o;
        }
        String name = v.toString().trim();
        if (name.equals(objective)) {
            throw badValue(objective, key, v, "another objective's name");
        }
        return registry.create(name);
    }

    private static int lastLayer(Map<String, Object> p) {
        Object v = value(p, "concept_correction", "layer");
        if (v.toString().trim().equalsIgnoreCase("last")) {
            return ConceptCorrection.LAST;
        }
        long l = integer(p, "concept_correction", "layer");
        if (l < 0 || l > Integer.MAX_VALUE) {
            throw badValue("concept_correction", "layer", v, "a block number >= 0 or \"last\"");
        }
        return (int) l;
    }

    private static int layer(Map<String, Object> p) {
        Object v = value(p, "rmu", "layer");
        if (v.toString().trim().equalsIgnoreCase("middle")) {
            return Rmu.MIDDLE;
        }
        long l = integer(p, "rmu", "layer");
        if (l < 1 || l > Integer.MAX_VALUE) {
            throw badValue("rmu", "layer", v, "a block number >= 1 or \"middle\"");
        }
        return (int) l;
    }
}
