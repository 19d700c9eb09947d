package dev.lethe.model;

import com.hubspot.jinjava.util.ForLoop;
import java.beans.FeatureDescriptor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import jinjava.javax.el.ELContext;
import jinjava.javax.el.ELResolver;
import org.jspecify.annotations.Nullable;

/**
 * The Python {@code str} and {@code dict} methods that chat templates call ({@code message['content'].strip()},
 * {@code role.title()}, {@code tool.items()}, ...), which Jinjava lacks or resolves to Java methods of another
 * meaning (Java's {@code split} takes a regex, its {@code strip} another whitespace set). Sits in front of
 * Jinjava's own resolvers and answers only these names on a string or a map, and Jinja2's {@code loop.previtem},
 * {@code loop.nextitem} and {@code loop.changed(...)}, which Jinjava lacks ({@link PythonLoops}); everything else
 * falls through.
 *
 * <p>Whitespace is Python's {@code str.isspace} set (Java's {@code Character.isWhitespace} plus U+0085, U+00A0,
 * U+2007 and U+202F), so {@code strip()} and the {@code trim} filter remove what Python removes.
 */
final class PyMethods extends ELResolver {
    private static final Set<String> STRING_METHODS = Set.of("strip", "lstrip", "rstrip", "upper", "lower", "title",
            "capitalize", "startswith", "endswith", "split", "replace");
    private static final Set<String> MAP_METHODS = Set.of("items", "keys", "values", "get");

    @Override
    public @Nullable Object invoke(ELContext context, @Nullable Object base, @Nullable Object method,
            Class<?> @Nullable [] paramTypes, Object @Nullable [] params) {
        if (base == null || method == null) {
            return null;
        }
        String name = method.toString();
        Object[] args = params == null ? new Object[0] : params;
        if (base instanceof CharSequence s && STRING_METHODS.contains(name)) {
            context.setPropertyResolved(true);
            return string(s.toString(), name, args);
        }
        if (base instanceof Map<?, ?> m && MAP_METHODS.contains(name)) {
            context.setPropertyResolved(true);
            return map(m, name, args);
        }
        if (base instanceof ForLoop loop && name.equals("changed")) {
            context.setPropertyResolved(true);
            return PythonLoops.changed(loop, args);
        }
        return null;
    }

    private static Object string(String s, String name, Object[] a) {
        return switch (name) {
            case "strip" -> strip(s, chars(a), true, true);
            case "lstrip" -> strip(s, chars(a), true, false);
            case "rstrip" -> strip(s, chars(a), false, true);
            case "upper" -> s.toUpperCase(Locale.ROOT);
            case "lower" -> s.toLowerCase(Locale.ROOT);
            case "title" -> title(s);
            case "capitalize" -> s.isEmpty() ? s : new StringBuilder()
                    .appendCodePoint(Character.toTitleCase(s.codePointAt(0)))
                    .append(s.substring(Character.charCount(s.codePointAt(0))).toLowerCase(Locale.ROOT)).toString();
            case "startswith" -> anyOf(a[0], s::startsWith);
            case "endswith" -> anyOf(a[0], s::endsWith);
            case "split" -> split(s, a.length > 0 && a[0] != null ? a[0].toString() : null,
                    a.length > 1 ? ((Number) a[1]).intValue() : -1);
            case "replace" -> replace(s, a[0].toString(), a[1].toString(),
                    a.length > 2 ? ((Number) a[2]).intValue() : -1);
            default -> throw new IllegalStateException(name);
        };
    }

    private static Object map(Map<?, ?> m, String name, Object[] a) {
        return switch (name) {
            case "items" -> {
                List<List<Object>> out = new ArrayList<>();
                m.forEach((k, v) -> out.add(Arrays.asList(k, v)));
                yield out;
            }
            case "keys" -> new ArrayList<>(m.keySet());
            case "values" -> new ArrayList<>(m.values());
            case "get" -> m.containsKey(a[0]) ? m.get(a[0]) : (a.length > 1 ? a[1] : null);
            default -> throw new IllegalStateException(name);
        };
    }

    private static @Nullable String chars(Object[] a) {
        return a.length > 0 && a[0] != null ? a[0].toString() : null;
    }

    /** Python's {@code str.isspace} for one code point. */
    static boolean isSpace(int c) {
        return Character.isWhitespace(c) || c == 0x85 || c == 0xA0 || c == 0x2007 || c == 0x202F;
    }

    /** Python's {@code str.strip(chars)}, {@code lstrip}, {@code rstrip}. */
    static String strip(String s, @Nullable String chars, boolean left, boolean right) {
        int start = 0;
        int end = s.length();
        while (left && start < end && stripped(s.codePointAt(start), chars)) {
            start += Character.charCount(s.codePointAt(start));
        }
        while (right && end > start && stripped(s.codePointBefore(end), chars)) {
            end -= Character.charCount(s.codePointBefore(end));
        }
        return s.substring(start, end);
    }

    private static boolean stripped(int c, @Nullable String chars) {
        return chars == null ? isSpace(c) : chars.codePoints().anyMatch(x -> x == c);
    }

    private static String title(String s) {
        StringBuilder out = new StringBuilder();
        boolean previousCased = false;
        for (int i = 0; i < s.length(); i += Character.charCount(s.codePointAt(i))) {
            int c = s.codePointAt(i);
            int t = previousCased ? Character.toLowerCase(c) : Character.toTitleCase(c);
            out.appendCodePoint(t);
            previousCased = Character.isUpperCase(c) || Character.isLowerCase(c) || Character.isTitleCase(c);
        }
        return out.toString();
    }

    private static boolean anyOf(Object arg, java.util.function.Predicate<String> test) {
        if (arg instanceof Iterable<?> options) {
            for (Object o : options) {
                if (test.test(o.toString())) {
                    return true;
                }
            }
            return false;
        }
        return test.test(arg.toString());
    }

    /** Python's {@code str.split(sep, maxsplit)}: runs of whitespace without {@code sep}, exact pieces with it. */
    private static List<String> split(String s, @Nullable String sep, int max) {
        List<String> out = new ArrayList<>();
        if (sep == null) {
            int i = 0;
            while (i < s.length()) {
                while (i < s.length() && isSpace(s.charAt(i))) {
                    i++;
                }
                if (i == s.length()) {
                    break;
                }
                if (max >= 0 && out.size() == max) {
                    out.add(strip(s.substring(i), null, false, true));
                    return out;
                }
                int j = i;
                while (j < s.length() && !isSpace(s.charAt(j))) {
                    j++;
                }
                out.add(s.substring(i, j));
                i = j;
            }
            return out;
        }
        if (sep.isEmpty()) {
            throw new IllegalArgumentException("split: empty separator");
        }
        int from = 0;
        int at;
        while ((max < 0 || out.size() < max) && (at = s.indexOf(sep, from)) >= 0) {
            out.add(s.substring(from, at));
            from = at + sep.length();
        }
        out.add(s.substring(from));
        return out;
    }

    private static String replace(String s, String old, String replacement, int count) {
        if (count < 0) {
            return s.replace(old, replacement);
        }
        StringBuilder out = new StringBuilder();
        int from = 0;
        for (int n = 0; n < count; n++) {
            int at = s.indexOf(old, from);
            if (at < 0) {
                break;
            }
            out.append(s, from, at).append(replacement);
            from = at + old.length();
        }
        return out.append(s.substring(from)).toString();
    }

    /** {@code loop.previtem} and {@code loop.nextitem}, which Jinjava does not have ({@link PythonLoops}). */
    @Override
    public @Nullable Object getValue(ELContext context, @Nullable Object base, @Nullable Object property) {
        if (base instanceof ForLoop loop && property != null) {
            String name = property.toString();
            if (name.equals("previtem") || name.equals("nextitem")) {
                context.setPropertyResolved(true);
                return PythonLoops.neighbour(loop, name, name.equals("previtem") ? -1 : 1);
            }
        }
        return null;
    }

    @Override
    public @Nullable Class<?> getType(ELContext context, @Nullable Object base, @Nullable Object property) {
        return null;
    }

    @Override
    public void setValue(ELContext context, @Nullable Object base, @Nullable Object property,
            @Nullable Object value) {}

    @Override
    public boolean isReadOnly(ELContext context, @Nullable Object base, @Nullable Object property) {
        return false;
    }

    @Override
    public @Nullable Iterator<FeatureDescriptor> getFeatureDescriptors(ELContext context, @Nullable Object base) {
        return null;
    }

    @Override
    public @Nullable Class<?> getCommonPropertyType(ELContext context, @Nullable Object base) {
        return null;
    }
}
