package dev.lethe.util;

/**
 * Text from files and users made safe to print: control characters (ESC, BEL, CR, NUL, ...) would
 * otherwise reach a terminal raw and rewrite what it shows.
 */
public final class Printable {
    private Printable() {}

    /**
     * {@code text} with every control character (C0, DEL and C1) written as a visible escape
     * ({@code \e}, {@code \a}, {@code \r}, {@code \n}, {@code \t}, {@code \0}, else {@code \x1b}-style
     * or {@code \u009b}-style hex).
     */
    public static String escape(String text) {
        if (firstControl(text) < 0) {
            return text;
        }
        StringBuilder b = new StringBuilder(text.length() + 8);
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (!isControl(c)) {
                b.append(c);
                continue;
            }
            switch (c) {
                case 0x1b -> b.append("\\e");
                case 0x07 -> b.append("\\a");
                case '\r' -> b.append("\\r");
                case '\n' -> b.append("\\n");
                case '\t' -> b.append("\\t");
                case 0 -> b.append("\\0");
                default -> b.append(c < 0x100 ? String.format("\\x%02x", (int) c) : String.format("\\u%04x", (int) c));
            }
        }
        return b.toString();
    }

    /** The index of the first control character of {@code text}, or -1 when it has none. */
    public static int firstControl(String text) {
        for (int i = 0; i < text.length(); i++) {
            if (isControl(text.charAt(i))) {
                return i;
            }
        }
        return -1;
    }

    /** Whether {@code c} is a C0 control, DEL or a C1 control (U+0080 to U+009F, e.g. the 8-bit CSI). */
    public static boolean isControl(char c) {
        return c < 0x20 || (c >= 0x7f && c <= 0x9f);
    }
}
