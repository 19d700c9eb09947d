package dev.lethe.model;

import java.time.ZonedDateTime;
import java.time.format.TextStyle;
import java.util.Locale;

/**
 * Python's {@code datetime.strftime} in the C locale, for the {@code strftime_now} function that chat templates
 * call (Llama 3.x: {@code strftime_now("%d %b %Y")}). Supports {@code %a %A %b %B %d %e %H %I %j %m %M %p %S %y
 * %Y %z %Z %%}; any other directive is an error naming it.
 */
final class Strftime {
    private Strftime() {}

    /**
     * {@code format} applied to {@code time}.
     *
     * @throws IllegalArgumentException for a directive outside the supported set
     */
    static String format(String format, ZonedDateTime time) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < format.length(); i++) {
            char c = format.charAt(i);
            if (c != '%' || i + 1 == format.length()) {
                out.append(c);
                continue;
            }
            char d = format.charAt(++i);
            switch (d) {
                case 'a' -> out.append(time.getDayOfWeek().getDisplayName(TextStyle.SHORT, Locale.ENGLISH));
                case 'A' -> out.append(time.getDayOfWeek().getDisplayName(TextStyle.FULL, Locale.ENGLISH));
                case 'b' -> out.append(time.getMonth().getDisplayName(TextStyle.SHORT, Locale.ENGLISH));
                case 'B' -> out.append(time.getMonth().getDisplayName(TextStyle.FULL, Locale.ENGLISH));
                case 'd' -> out.append(String.format("%02d", time.getDayOfMonth()));
                case 'e' -> out.append(String.format("%2d", time.getDayOfMonth()));
                case 'H' -> out.append(String.format("%02d", time.getHour()));
                case 'I' -> out.append(String.format("%02d", (time.getHour() + 11) % 12 + 1));
                case 'j' -> out.append(String.format("%03d", time.getDayOfYear()));
                case 'm' -> out.append(String.format("%02d", time.getMonthValue()));
                case 'M' -> out.append(String.format("%02d", time.getMinute()));
                case 'p' -> out.append(time.getHour() < 12 ? "AM" : "PM");
                case 'S' -> out.append(String.format("%02d", time.getSecond()));
                case 'y' -> out.append(String.format("%02d", time.getYear() % 100));
                case 'Y' -> out.append(time.getYear());
                case 'z' -> out.append(time.getOffset().getId().equals("Z") ? "+0000"
                        : time.getOffset().getId().replace(":", ""));
                case 'Z' -> out.append(time.getZone().getDisplayName(TextStyle.SHORT, Locale.ENGLISH));
                case '%' -> out.append('%');
                default -> throw new IllegalArgumentException("strftime_now: directive %" + d + " in \"" + format
                        + "\" is not supported (supported: %a %A %b %B %d %e %H %I %j %m %M %p %S %y %Y %z %Z %%)");
            }
        }
        return out.toString();
    }
}
