package dev.lethe.data;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Comma-separated records as RFC 4180 writes them (and Python's {@code csv} and pandas write them): fields split by
 * commas, records by line breaks ({@code \n} or {@code \r\n}); a field that starts with a double quote runs to the
 * next lone double quote and may hold commas, line breaks and doubled quotes ({@code ""} for one {@code "}); a quote
 * inside an unquoted field is an ordinary character. Blank lines are skipped, as pandas skips them; white space is
 * kept as it is. Each record remembers the line it starts on, for messages.
 *
 * <p>Why not a library: Tablesaw brings univocity-parsers only as its own dependency (not Lethe's to rely on), and its
 * defaults trim white space, read a malformed quote leniently and count the line a record ends on; this reader is
 * small enough to be exact and to name the line of a record that starts a quote it never closes.
 */
final class Csv {
    private Csv() {}

    /**
     * One record and the line it starts on (1-based).
     *
     * @param fields its fields, in order
     * @param line its first line
     */
    record Row(List<String> fields, int line) {}

    /**
     * The records of {@code text}, read from {@code file} (named in messages only).
     *
     * @throws IllegalArgumentException naming the file and line of a quoted field that is never closed, or of a
     *     closing quote followed by something other than a comma or the end of the line
     */
    static List<Row> rows(Path file, String text) {
        List<Row> out = new ArrayList<>();
        int n = text.length();
        int i = text.startsWith("\uFEFF") ? 1 : 0;
        int line = 1;
        while (i < n) {
            int start = line;
            if (text.charAt(i) == '\n' || text.startsWith("\r\n", i)) {
                i += text.charAt(i) == '\n' ? 1 : 2;
                line++;
                continue;
            }
            List<String> fields = new ArrayList<>();
            StringBuilder field = new StringBuilder();
            boolean endOfRecord = false;
            while (!endOfRecord) {
                if (i < n && text.charAt(i) == '"') {
                    int quoteLine = line;
                    i++;
                    while (true) {
                        if (i >= n) {
                            throw Jsonl.bad(file, quoteLine, "field " + (fields.size() + 1) + " opens a quote (\") "
                                    + "that is never closed; a quote inside a quoted field is written twice (\"\")");
                        }
                        char c = text.charAt(i);
                        if (c == '"') {
                            if (i + 1 < n && text.charAt(i + 1) == '"') {
                                field.append('"');
                                i += 2;
                                continue;
                            }
                            i++;
                            break;
                        }
                        if (c == '\n') {
                            line++;
                        }
                        field.append(c);
                        i++;
                    }
                    if (i < n && text.charAt(i) != ',' && text.charAt(i) != '\n' && !text.startsWith("\r\n", i)) {
                        throw Jsonl.bad(file, line, "field " + (fields.size() + 1) + " has text after its closing "
                                + "quote; a quote inside a quoted field is written twice (\"\")");
                    }
                } else {
                    while (i < n && text.charAt(i) != ',' && text.charAt(i) != '\n' && !text.startsWith("\r\n", i)) {
                        field.append(text.charAt(i));
                        i++;
                    }
                }
                fields.add(field.toString());
                field.setLength(0);
                if (i < n && text.charAt(i) == ',') {
                    i++;
                } else {
                    endOfRecord = true;
                    if (i < n) {
                        i += text.charAt(i) == '\n' ? 1 : 2;
                        line++;
                    }
                }
            }
            out.add(new Row(List.copyOf(fields), start));
        }
        return out;
    }
}
