package dev.lethe.data;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.lethe.io.parquet.Parquet;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * Parquet files read as the JSON records the loaders already check ({@link Jsonl.Record}), so that a hub's Parquet
 * file and its JSON export are refused for the same faults with the same words; a record's number is its row (from
 * 1), which {@link Jsonl#bad} prints as {@code file: row N}. Also the names the hub gives a split's files:
 * {@code <split>-00000-of-00001.parquet} ({@code datasets}' {@code push_to_hub}; older uploads add a {@code -<hash>}).
 */
final class ParquetRows {
    /** A hub shard's name: split, shard index, shard count, optional fingerprint. */
    static final Pattern SHARD = Pattern.compile("(.+?)-(\\d{5})-of-(\\d{5})(?:-[0-9a-f]+)?\\.parquet");

    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private ParquetRows() {}

    /**
     * The rows of {@code file} as JSON objects holding the columns named in {@code fields} that the file has (a
     * string column as a string, a list as an array, null as null, bytes as binary).
     *
     * @throws IllegalArgumentException as {@link Parquet#read} does
     */
    static List<Jsonl.Record> records(Path file, Collection<String> fields) {
        List<Jsonl.Record> out = new ArrayList<>();
        int row = 0;
        for (Map<String, @Nullable Object> values : Parquet.read(file, fields).rows()) {
            ObjectNode o = NODES.objectNode();
            values.forEach((k, v) -> o.set(k, node(v)));
            out.add(new Jsonl.Record(o, ++row));
        }
        return out;
    }

    private static JsonNode node(@Nullable Object v) {
        if (v == null) {
            return NODES.nullNode();
        }
        if (v instanceof String s) {
            return NODES.textNode(s);
        }
        if (v instanceof Boolean b) {
            return NODES.booleanNode(b);
        }
        if (v instanceof Integer i) {
            return NODES.numberNode(i);
        }
        if (v instanceof Long l) {
            return NODES.numberNode(l);
        }
        if (v instanceof Float f) {
            return NODES.numberNode(f);
        }
        if (v instanceof Double d) {
            return NODES.numberNode(d);
        }
        if (v instanceof List<?> list) {
            ArrayNode a = NODES.arrayNode();
            list.forEach(e -> a.add(node(e)));
            return a;
        }
        return NODES.binaryNode((byte[]) v);
    }

    /**
     * The files of hub split {@code split} among {@code files} (names {@code <split>-NNNNN-of-MMMMM.parquet}), in
     * shard order; empty when there are none.
     *
     * @throws IllegalArgumentException when shards are missing or disagree on their count
     */
    static List<Path> shards(List<Path> files, String split) {
        List<Path> out = new ArrayList<>();
        String count = null;
        for (Path f : files.stream().sorted().toList()) {
            Matcher m = SHARD.matcher(f.getFileName().toString());
            if (m.matches() && m.group(1).equals(split)) {
                if (count != null && !count.equals(m.group(3)) || Integer.parseInt(m.group(2)) != out.size()) {
                    throw new IllegalArgumentException(dev.lethe.util.Printable.escape(f.toString()) + ": shard "
                            + m.group(2) + " of " + m.group(3) + " after " + out.size() + " shard(s) of split '"
                            + split + "'; the folder must hold every shard of the split once, as the hub names them");
                }
                count = m.group(3);
                out.add(f);
            }
        }
        if (count != null && Integer.parseInt(count) != out.size()) {
            throw new IllegalArgumentException(dev.lethe.util.Printable.escape(out.get(0).getParent() + "") + ": "
                    + out.size() + " of the " + Integer.parseInt(count) + " shards of split '" + split + "' ("
                    + out.get(0).getFileName() + ", ...); download the missing ones");
        }
        return out;
    }
}
