package dev.lethe.part;

import dev.lethe.part.Node.ListNode;
import dev.lethe.part.Node.MapNode;
import dev.lethe.part.Node.Scalar;
import dev.lethe.util.Names;
import java.math.BigInteger;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * The parameter types: numbers with ranges, booleans, strings, splits, paths, lists, named maps, nested parts.
 * Their records are package-visible so that the property tests can draw a valid value of each (RandomRecipes).
 */
public final class ParamTypes {
    private ParamTypes() {}

    /** An {@code int} in [{@code min}, {@code max}]. */
    public static ParamType integer(long min, long max) {
        return new Whole(min, max, true);
    }

    /** An {@code int} ≥ {@code min}. */
    public static ParamType integer(long min) {
        return integer(min, Integer.MAX_VALUE);
    }

    /** A {@code long} ≥ {@code min}. */
    public static ParamType longInteger(long min) {
        return new Whole(min, Long.MAX_VALUE, false);
    }

    /** Any {@code long}. */
    public static ParamType anyLong() {
        return new Whole(Long.MIN_VALUE, Long.MAX_VALUE, false);
    }

    /** A finite {@code double} in the range (see {@link Range}). */
    public static ParamType real(Range range) {
        return new Real(range, false);
    }

    /** A finite {@code float} in the range. */
    public static ParamType realFloat(Range range) {
        return new Real(range, true);
    }

    /** {@code true} or {@code false}. */
    public static ParamType bool() {
        return Bool.INSTANCE;
    }

    /** Any string. */
    public static ParamType text() {
        return Text.INSTANCE;
    }

    /** A file or folder path, written as given (relative paths resolve against the working directory). */
    public static ParamType path() {
        return PathType.INSTANCE;
    }

    /**
     * A file name inside the folder it is resolved in: a relative path without {@code ..}, ending in
     * {@code suffix} (a {@code save} stage's {@code file}).
     */
    public static ParamType fileName(String suffix) {
        return new FileName(suffix);
    }

    /** One of {@code type}'s constants, written as {@code spell} spells it (e.g. a split by its id). */
    public static <E extends Enum<E>> ParamType choice(Class<E> type, Function<E, String> spell) {
        return new Choice<>(type, spell);
    }

    /** One of {@code type}'s constants, written in lower case ({@code total_variation}). */
    public static <E extends Enum<E>> ParamType choice(Class<E> type) {
        return new Choice<>(type, e -> e.name().toLowerCase(Locale.ROOT));
    }


    /** A list of {@code item}s with at least {@code minSize} entries. */
    public static ParamType list(ParamType item, int minSize) {
        return new ListType(item, minSize);
    }

    /**
     * A mapping from names the file chooses (in file order; each a name by {@link Names#whyNotAName}) to {@code value}s, with at least
     * {@code minSize} entries; read as an unmodifiable {@code Map<String, V>} that keeps the order.
     */
    public static ParamType map(ParamType value, int minSize) {
        return new MapType(value, minSize);
    }

    /** A part of {@code slot}: {@code name} or {@code {name: {parameters}}}. */
    public static ParamType part(Slot<?> slot) {
        return new PartType(slot);
    }

    /** The fields of {@code kind} directly, as a mapping (no kind name): for single-kind records like Training. */
    public static ParamType struct(Kind<?> kind) {
        return new Struct(kind);
    }

    /** {@code type}, or null (written {@code null} or left out). */
    public static ParamType nullable(ParamType type) {
        return new OrNull(type);
    }

    /**
     * A number ({@code number}) when the node is a scalar number, else {@code other}: e.g. a weight that is a
     * constant or a schedule.
     */
    public static ParamType numberOr(ParamType number, ParamType other) {
        return new NumberOr(number, other);
    }

    /**
     * A block number of at least {@code min}, or the word {@code word} for the constant {@code sentinel}:
     * concept correction's {@code last}.
     */
    public static ParamType layer(String word, int sentinel, int min) {
        return layer(Map.of(word, sentinel), min);
    }

    /**
     * A block number of at least {@code min}, or one of the words of {@code words} for its constant: RMU's
     * {@code quarter} and {@code middle} (a depth fraction resolved against the model).
     */
    public static ParamType layer(Map<String, Integer> words, int min) {
        return new Layer(new TreeMap<>(words), min);
    }

    /**
     * A range of real numbers.
     *
     * @param min lower bound ({@code -Infinity} for none)
     * @param minOpen whether the lower bound is excluded
     * @param max upper bound ({@code Infinity} for none)
     * @param maxOpen whether the upper bound is excluded
     */
    public record Range(double min, boolean minOpen, double max, boolean maxOpen) {
        /** Any finite number. */
        public static Range any() {
            return new Range(Double.NEGATIVE_INFINITY, true, Double.POSITIVE_INFINITY, true);
        }

        /** x &gt; 0. */
        public static Range positive() {
            return new Range(0, true, Double.POSITIVE_INFINITY, true);
        }

        /** x ≥ 0. */
        public static Range nonNegative() {
            return new Range(0, false, Double.POSITIVE_INFINITY, true);
        }

        /** {@code min} ≤ x ≤ {@code max}. */
        public static Range closed(double min, double max) {
            return new Range(min, false, max, false);
        }

        /** {@code min} ≤ x &lt; {@code max}. */
        public static Range closedOpen(double min, double max) {
            return new Range(min, false, max, true);
        }

        /** {@code min} &lt; x &lt; {@code max}. */
        public static Range open(double min, double max) {
            return new Range(min, true, max, true);
        }

        boolean contains(double x) {
            return Double.isFinite(x) && (minOpen ? x > min : x >= min) && (maxOpen ? x < max : x <= max);
        }

        String describe() {
            boolean lo = Double.isFinite(min);
            boolean hi = Double.isFinite(max);
            if (lo && hi) {
                return "in " + (minOpen ? "(" : "[") + fmt(min) + ", " + fmt(max) + (maxOpen ? ")" : "]");
            }
            if (lo) {
                return (minOpen ? "> " : ">= ") + fmt(min);
            }
            if (hi) {
                return (maxOpen ? "< " : "<= ") + fmt(max);
            }
            return "";
        }

        private static String fmt(double x) {
            return x == Math.rint(x) && Math.abs(x) < 1e15 ? Long.toString((long) x) : Double.toString(x);
        }
    }

    /** How a scalar is named in "got ..." messages. */
    static String got(Node node) {
        if (node instanceof MapNode) {
            return "a mapping";
        }
        if (node instanceof ListNode) {
            return "a list";
        }
        Object v = ((Scalar) node).value();
        if (v == null) {
            return "null";
        }
        if (v instanceof String s) {
            return "\"" + (s.length() > 40 ? s.substring(0, 40) + "..." : s) + "\" (a string)";
        }
        return v + (v instanceof Boolean ? " (a boolean)" : "");
    }

    static @Nullable Object scalar(Node node) {
        return node instanceof Scalar s ? s.value() : null;
    }

    /** A real number from a YAML/JSON number, or from an unquoted-looking string such as {@code 1e-3}. */
    static @Nullable Double number(Node node) {
        Object v = scalar(node);
        if (v instanceof Number n) {
            return n.doubleValue();
        }
        if (v instanceof String s && s.strip().matches("[-+]?(\\d+\\.?\\d*|\\.\\d+)([eE][-+]?\\d+)?")) {
            return Double.parseDouble(s.strip());
        }
        return null;
    }

    record Whole(long min, long max, boolean isInt) implements ParamType {
        @Override
        public @Nullable Object read(Node node, String path, Reading r) {
            Object v = scalar(node);
            Double d = number(node);
            boolean whole = v instanceof Long || v instanceof BigInteger
                    || (d != null && v instanceof String && d == Math.rint(d) && Math.abs(d) < 9e15);
            if (!whole) {
                return r.expected(node, path, describe());
            }
            BigInteger b = v instanceof BigInteger bi ? bi
                    : v instanceof Long l ? BigInteger.valueOf(l) : BigInteger.valueOf(d.longValue());
            if (b.compareTo(BigInteger.valueOf(min)) < 0 || b.compareTo(BigInteger.valueOf(max)) > 0) {
                return r.expected(node, path, describe());
            }
            return isInt ? (Object) b.intValue() : (Object) b.longValue();
        }

        @Override
        public Object write(Object value, Writing w) {
            return value;
        }

        @Override
        public String describe() {
            long lo = isInt ? Math.max(min, Integer.MIN_VALUE) : min;
            long hi = isInt ? Math.min(max, Integer.MAX_VALUE) : max;
            boolean top = hi == (isInt ? Integer.MAX_VALUE : Long.MAX_VALUE);
            boolean bottom = lo == (isInt ? Integer.MIN_VALUE : Long.MIN_VALUE);
            return "an integer" + (top && bottom ? "" : top ? " >= " + lo : bottom ? " <= " + hi
                    : " in [" + lo + ", " + hi + "]");
        }
    }

    record Real(Range range, boolean isFloat) implements ParamType {
        @Override
        public @Nullable Object read(Node node, String path, Reading r) {
            Double d = number(node);
            if (d == null || !range.contains(d) || (isFloat && !Float.isFinite(d.floatValue()))) {
                return r.expected(node, path, describe());
            }
            return isFloat ? (Object) d.floatValue() : (Object) d;
        }

        @Override
        public Object write(Object value, Writing w) {
            return value;
        }

        @Override
        public String describe() {
            String bounds = range.describe();
            return "a number" + (bounds.isEmpty() ? "" : " " + bounds);
        }
    }

    enum Bool implements ParamType {
        INSTANCE;

        @Override
        public @Nullable Object read(Node node, String path, Reading r) {
            return scalar(node) instanceof Boolean b ? b : r.expected(node, path, describe());
        }

        @Override
        public Object write(Object value, Writing w) {
            return value;
        }

        @Override
        public String describe() {
            return "true or false";
        }
    }

    enum Text implements ParamType {
        INSTANCE;

        @Override
        public @Nullable Object read(Node node, String path, Reading r) {
            Object v = scalar(node);
            return v instanceof String || v instanceof Number || v instanceof Boolean ? v.toString()
                    : r.expected(node, path, describe());
        }

        @Override
        public Object write(Object value, Writing w) {
            return value;
        }

        @Override
        public String describe() {
            return "a string";
        }
    }

    enum PathType implements ParamType {
        INSTANCE;

        @Override
        public @Nullable Object read(Node node, String path, Reading r) {
            if (scalar(node) instanceof String s && !s.isBlank()) {
                try {
                    return Path.of(s);
                } catch (InvalidPathException e) {
                    return r.expected(node, path, describe());
                }
            }
            return r.expected(node, path, describe());
        }

        @Override
        public Object write(Object value, Writing w) {
            return value.toString();
        }

        @Override
        public String describe() {
            return "a path";
        }
    }

    /**
     * Whether {@code file} names something inside the folder it is resolved in: not blank, a relative path, no
     * {@code ..} element (symbolic links are for the writer to check, on the disk).
     */
    public static boolean staysInside(String file) {
        try {
            Path p = Path.of(file);
            for (Path part : p) {
                if (part.toString().equals("..")) {
                    return false;
                }
            }
            return !file.isBlank() && !p.isAbsolute();
        } catch (InvalidPathException e) {
            return false;
        }
    }

    record FileName(String suffix) implements ParamType {
        @Override
        public @Nullable Object read(Node node, String path, Reading r) {
            if (scalar(node) instanceof String s && s.endsWith(suffix) && staysInside(s)) {
                return s;
            }
            return r.expected(node, path, describe());
        }

        @Override
        public Object write(Object value, Writing w) {
            return value;
        }

        @Override
        public String describe() {
            return "a relative file name without '..'" + (suffix.isEmpty() ? "" : ", ending in " + suffix);
        }
    }

    record Choice<E extends Enum<E>>(Class<E> type, Function<E, String> id) implements ParamType {
        @Override
        public @Nullable Object read(Node node, String path, Reading r) {
            if (scalar(node) instanceof String s) {
                for (E e : type.getEnumConstants()) {
                    if (id.apply(e).equalsIgnoreCase(s.strip())) {
                        return e;
                    }
                }
                return r.problem(node, path, "expected " + describe() + ", got " + got(node)
                        + Names.didYouMean(s, ids()));
            }
            if (scalar(node) instanceof Boolean b) {
                // YAML 1.1 reads an unquoted off/no/false (on/yes/true) as a boolean: a choice spelled so means it
                for (String word : b ? List.of("on", "yes", "true") : List.of("off", "no", "false")) {
                    for (E e : type.getEnumConstants()) {
                        if (id.apply(e).equals(word)) {
                            return e;
                        }
                    }
                }
            }
            return r.expected(node, path, describe());
        }

        private List<String> ids() {
            return Arrays.stream(type.getEnumConstants()).map(id).toList();
        }

        @Override
        public Object write(Object value, Writing w) {
            return id.apply(type.cast(value));
        }

        @Override
        public String describe() {
            return "one of " + String.join(", ", ids());
        }
    }

    record ListType(ParamType item, int minSize) implements ParamType {
        @Override
        public @Nullable Object read(Node node, String path, Reading r) {
            if (!(node instanceof ListNode list)) {
                return r.expected(node, path, describe());
            }
            if (list.items().size() < minSize) {
                return r.problem(node, path, "expected " + describe() + ", got " + list.items().size() + " item"
                        + (list.items().size() == 1 ? "" : "s"));
            }
            List<Object> out = new ArrayList<>();
            boolean ok = true;
            for (int i = 0; i < list.items().size(); i++) {
                Object v = item.read(list.items().get(i), path + "[" + i + "]", r);
                ok &= v != null;
                out.add(v);
            }
            return ok ? List.copyOf(out) : null;
        }

        @Override
        public Object write(Object value, Writing w) {
            List<@Nullable Object> out = new ArrayList<>();
            for (Object o : (List<?>) value) {
                out.add(item.write(o, w));
            }
            return out;
        }

        @Override
        public String describe() {
            return "a list of " + (minSize > 0 ? "at least " + minSize + " " : "") + "(" + item.describe() + ")";
        }
    }

    record MapType(ParamType value, int minSize) implements ParamType {
        @Override
        public @Nullable Object read(Node node, String path, Reading r) {
            if (!(node instanceof MapNode map)) {
                return r.expected(node, path, describe());
            }
            if (map.entries().size() < minSize) {
                return r.problem(node, path, "expected " + describe() + ", got " + map.entries().size() + " entr"
                        + (map.entries().size() == 1 ? "y" : "ies"));
            }
            Map<String, Object> out = new LinkedHashMap<>();
            boolean ok = true;
            for (Map.Entry<String, Node> e : map.entries().entrySet()) {
                String here = Reading.join(path, e.getKey());
                String notAName = Names.whyNotAName(e.getKey());
                if (notAName != null) {
                    r.problem(map.keys().get(e.getKey()), here, notAName);
                    ok = false;
                    continue;
                }
                Object v = value.read(e.getValue(), here, r);
                ok &= v != null;
                out.put(e.getKey(), v);
            }
            return ok ? Collections.unmodifiableMap(out) : null;
        }

        @Override
        public Object write(Object v, Writing w) {
            Map<String, @Nullable Object> out = new LinkedHashMap<>();
            ((Map<?, ?>) v).forEach((k, item) -> out.put((String) k, value.write(item, w)));
            return out;
        }

        @Override
        public String describe() {
            return "a mapping of " + (minSize > 0 ? "at least " + minSize + " " : "") + "names to ("
                    + value.describe() + ")";
        }
    }

    record PartType(Slot<?> slot) implements ParamType {
        @Override
        public @Nullable Object read(Node node, String path, Reading r) {
            return r.part(slot, node, path);
        }

        @Override
        public @Nullable Object write(Object value, Writing w) {
            return w.part(slot, value);
        }

        @Override
        public String describe() {
            return ("aeiou".indexOf(slot.name().charAt(0)) >= 0 ? "an " : "a ") + slot.name() + " (see lethe list)";
        }
    }

    record Struct(Kind<?> kind) implements ParamType {
        @Override
        public @Nullable Object read(Node node, String path, Reading r) {
            return r.fields(kind, node, path);
        }

        @Override
        public Object write(Object value, Writing w) {
            return w.fields(kind, value);
        }

        @Override
        public String describe() {
            return "a mapping of " + kind.name() + " fields";
        }
    }

    record OrNull(ParamType type) implements ParamType {
        @Override
        public @Nullable Object read(Node node, String path, Reading r) {
            return scalar(node) == null && node instanceof Scalar ? Reading.NULL : type.read(node, path, r);
        }

        @Override
        public @Nullable Object write(Object value, Writing w) {
            return type.write(value, w);
        }

        @Override
        public String describe() {
            return type.describe() + " or null";
        }
    }

    record NumberOr(ParamType number, ParamType other) implements ParamType {
        @Override
        public @Nullable Object read(Node node, String path, Reading r) {
            return scalar(node) instanceof Number ? number.read(node, path, r) : other.read(node, path, r);
        }

        @Override
        public @Nullable Object write(Object value, Writing w) {
            return value instanceof Number ? number.write(value, w) : other.write(value, w);
        }

        @Override
        public String describe() {
            return number.describe() + ", or " + other.describe();
        }
    }

    record Layer(Map<String, Integer> words, int min) implements ParamType {
        @Override
        public @Nullable Object read(Node node, String path, Reading r) {
            Object v = scalar(node);
            if (v instanceof String s) {
                Integer sentinel = words.get(s.strip().toLowerCase(Locale.ROOT));
                if (sentinel != null) {
                    return sentinel;
                }
            }
            return v instanceof Long l && l >= min && l <= Integer.MAX_VALUE ? (Object) l.intValue()
                    : r.expected(node, path, describe());
        }

        @Override
        public Object write(Object value, Writing w) {
            for (Map.Entry<String, Integer> e : words.entrySet()) {
                if (e.getValue().equals(value)) {
                    return e.getKey();
                }
            }
            return value;
        }

        @Override
        public String describe() {
            return "an integer >= " + min + " or " + String.join(", ", words.keySet());
        }
    }
}
