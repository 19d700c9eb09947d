package dev.lethe.model;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Python's {@code json.dumps(x, ensure_ascii=False, indent=indent)} for the values a chat template sees (maps in
 * insertion order, lists, strings, numbers, booleans, null): the output of the {@code tojson} filter that
 * Hugging Face {@code transformers} installs in its chat-template environment
 * ({@code transformers/utils/chat_template_utils.py}, {@code _cached_compile_jinja_template}). Separators follow
 * {@code json.dumps}: {@code ", "} and {@code ": "} without an indent, {@code ","} and {@code ": "} with one.
 */
final class PyJson {
    private PyJson() {}

    /**
     * The JSON text of {@code value}.
     *
     * @param indent spaces per level, or {@code null} for one line (Python's {@code indent=None})
     */
    static String dumps(@Nullable Object value, @Nullable Integer indent) {
        StringBuilder out = new StringBuilder();
        write(out, value, indent, 0);
        return out.toString();
    }

    private static void write(StringBuilder out, @Nullable Object v, @Nullable Integer indent, int level) {
        if (v == null) {
            out.append("null");
        } else if (v instanceof CharSequence s) {
            string(out, s.toString());
        } else if (v instanceof Boolean b) {
            out.append(b ? "true" : "false");
        } else if (v instanceof Integer || v instanceof Long || v instanceof Short || v instanceof Byte
                || v instanceof BigInteger) {
            out.append(v);
        } else if (v instanceof Number n) {
            out.append(pyFloat(n.doubleValue()));
        } else if (v instanceof Map<?, ?> m) {
            container(out, m.entrySet(), '{', '}', indent, level);
        } else if (v instanceof Iterable<?> items) {
            container(out, items, '[', ']', indent, level);
        } else if (v instanceof Object[] a) {
            container(out, java.util.Arrays.asList(a), '[', ']', indent, level);
        } else {
            string(out, v.toString());
        }
    }

    private static void container(StringBuilder out, Iterable<?> items, char open, char close,
            @Nullable Integer indent, int level) {
        out.append(open);
        boolean first = true;
        for (Object item : items) {
            if (!first) {
                out.append(indent == null ? ", " : ",");
            }
            first = false;
            if (indent != null) {
                out.append('\n').append(" ".repeat(indent * (level + 1)));
            }
            if (item instanceof Map.Entry<?, ?> e) {
                string(out, String.valueOf(e.getKey()));
                out.append(": ");
                write(out, e.getValue(), indent, level + 1);
            } else {
                write(out, item, indent, level + 1);
            }
        }
        if (!first && indent != null) {
            out.append('\n').append(" ".repeat(indent * level));
        }
        out.append(close);
    }

    /** A string as {@code json.dumps} with {@code ensure_ascii=False} writes it. */
    private static void string(StringBuilder out, String s) {
        out.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                case '\b' -> out.append("\\b");
                case '\f' -> out.append("\\f");
                default -> {
                    if (c < 0x20) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        out.append('"');
    }

    /** Python's {@code repr} of a float: shortest round-trip digits, {@code 1.0} not {@code 1}, exponent past 1e16. */
    private static String pyFloat(double d) {
        if (Double.isNaN(d)) {
            return "NaN";
        }
        if (Double.isInfinite(d)) {
            return d > 0 ? "Infinity" : "-Infinity";
        }
        if (d == 0) {
            return (1 / d < 0) ? "-0.0" : "0.0";
        }
        BigDecimal exact = new BigDecimal(Double.toString(d)).stripTrailingZeros();
        int exponent = exact.precision() - exact.scale() - 1;
        if (exponent < -4 || exponent >= 16) {
            String digits = exact.unscaledValue().abs().toString();
            String mantissa = digits.length() == 1 ? digits : digits.charAt(0) + "." + digits.substring(1);
            return (d < 0 ? "-" : "") + mantissa + "e" + (exponent < 0 ? "-" : "+")
                    + String.format("%02d", Math.abs(exponent));
        }
        String plain = exact.toPlainString();
        return plain.contains(".") ? plain : plain + ".0";
    }
}
