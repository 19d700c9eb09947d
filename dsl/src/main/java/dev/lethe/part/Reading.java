package dev.lethe.part;

import dev.lethe.part.Node.Location;
import dev.lethe.part.Node.MapNode;
import dev.lethe.part.Node.Scalar;
import dev.lethe.util.Names;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * The state of reading one file: the registry, and every problem found so far. Reading goes on after a
 * problem, so that one pass reports them all; a method that returns null has reported why.
 */
public final class Reading {
    /** What {@link ParamType#read} returns for an explicit or absent null of an optional value. */
    static final Object NULL = new Object();

    private final String file;
    private final Kinds registry;
    private final List<Problem> problems = new ArrayList<>();

    /** A reading of {@code file} whose parts are the kinds of {@code registry}. */
    public Reading(String file, Kinds registry) {
        this.file = file;
        this.registry = registry;
    }

    /** Every problem found so far, in the order found. */
    public List<Problem> problems() {
        return problems;
    }

    /** Reports {@code message} about {@code node} at {@code path}; returns null for {@code return r.problem(...)}. */
    public @Nullable Object problem(Node node, String path, String message) {
        return problem(node.at(), path, message);
    }

    @Nullable Object problem(Location at, String path, String message) {
        problems.add(new Problem(file, at.line(), at.column(), path, message));
        return null;
    }

    /** Reports that {@code node} is not {@code expected}. */
    public @Nullable Object expected(Node node, String path, String expected) {
        return problem(node, path, "expected " + expected + ", got " + ParamTypes.got(node));
    }

    /** A part of {@code slot}: {@code name}, or a mapping with the name as its one key. */
    @Nullable Object part(Slot<?> slot, Node node, String path) {
        String name;
        Node params;
        Location nameAt;
        if (node instanceof Scalar s && s.value() instanceof String str) {
            name = str.strip();
            params = null;
            nameAt = s.at();
        } else if (node instanceof MapNode m && m.entries().size() == 1) {
            name = m.entries().keySet().iterator().next();
            params = m.entries().get(name);
            nameAt = m.keys().get(name);
        } else {
            return problem(node, path, "expected one " + slot.name() + ": a name such as "
                    + registry.kinds(slot).keySet().iterator().next() + ", or a mapping with the name as its only key"
                    + " and the parameters below it, got " + (node instanceof MapNode m
                            ? m.entries().size() + " keys (" + String.join(", ", m.entries().keySet()) + ")"
                            : ParamTypes.got(node)));
        }
        Kind<?> kind = registry.kinds(slot).get(name);
        String here = path + "." + name;
        if (kind == null) {
            Set<String> known = registry.kinds(slot).keySet();
            return problem(nameAt, path, "unknown " + slot.name() + " '" + name + "'" + Names.didYouMean(name, known)
                    + " Known: " + String.join(", ", known));
        }
        if (kind.inline() && params != null && !(params instanceof MapNode)) {
            Param only = kind.params().get(0);
            Object v = only.type().read(params, here, this);
            return v == null ? null : build(kind, Map.of(only.name(), v), Set.of(only.name()), node, here);
        }
        if (params == null || (params instanceof Scalar s && s.value() == null)) {
            return fields(kind, new MapNode(Map.of(), Map.of(), node.at()), here);
        }
        return fields(kind, params, here);
    }

    /** The parameters of {@code kind} from the mapping {@code node}, checked, and the part built from them. */
    public @Nullable Object fields(Kind<?> kind, Node node, String path) {
        if (!(node instanceof MapNode map)) {
            return expected(node, path, "a mapping with keys " + String.join(", ", kind.keys()));
        }
        boolean ok = true;
        for (Map.Entry<String, Node> e : map.entries().entrySet()) {
            if (kind.param(e.getKey()) == null) {
                problem(map.keys().get(e.getKey()), join(path, e.getKey()), "unknown key '" + e.getKey() + "' in "
                        + kind.name() + Names.didYouMean(e.getKey(), kind.keys()) + " Keys: "
                        + (kind.params().isEmpty() ? "none" : String.join(", ", kind.keys())));
                ok = false;
            }
        }
        Map<String, @Nullable Object> values = new LinkedHashMap<>();
        Set<String> given = new HashSet<>();
        for (Param p : kind.params()) {
            Node v = map.entries().get(p.name());
            String here = join(path, p.name());
            Object value;
            if (v == null) {
                if (p.required()) {
                    problem(map, here, "missing key '" + p.name() + "' (" + p.type().describe() + ": " + p.doc() + ")");
                    ok = false;
                    continue;
                }
                value = p.defaultValue();
            } else {
                value = p.type().read(v, here, this);
                if (value == null) {
                    ok = false;
                    continue;
                }
                value = value == NULL ? null : value;
                if (value != null) {
                    given.add(p.name());
                }
            }
            values.put(p.name(), value);
        }
        return ok ? build(kind, values, given, map, path) : null;
    }

    private @Nullable Object build(Kind<?> kind, Map<String, @Nullable Object> values, Set<String> given, Node at,
            String path) {
        try {
            return kind.build().apply(new Args(values, given));
        } catch (IllegalArgumentException | IllegalStateException | ArithmeticException e) {
            return problem(at, path, kind.name() + ": " + e.getMessage());
        }
    }

    static String join(String path, String key) {
        return path.isEmpty() ? key : path + "." + key;
    }
}
