package dev.lethe.report;

import java.text.NumberFormat;
import java.util.Locale;
import tech.tablesaw.columns.numbers.NumberColumnFormatter;

/**
 * How the report prints a value: four decimals (Tablesaw's {@code fixedWithGrouping(4)}), except a nonzero value below 0.0005 in magnitude, which four
 * decimals would print as 0.0000 (a forget quality of 9·10⁻¹¹), in scientific notation with three significant
 * digits ({@code 9.20e-11}).
 */
final class Numbers {
    private static final double SMALL = 0.0005;

    private Numbers() {}

    /** {@code v} as the tables print it; NaN (no value) as the empty string. */
    static String format(double v) {
        if (Double.isNaN(v)) {
            return "";
        }
        return v != 0 && Math.abs(v) < SMALL ? String.format(Locale.ROOT, "%.2e", v)
                : NumberColumnFormatter.fixedWithGrouping(4).getFormat().format(v);
    }

    /** A Tablesaw column formatter that prints as {@link #format} does. */
    static NumberColumnFormatter columnFormatter() {
        return new NumberColumnFormatter(NumberFormat.getInstance(Locale.ROOT)) {
            @Override
            public String format(double value) {
                return Numbers.format(value);
            }
        };
    }
}
