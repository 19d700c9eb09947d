package dev.lethe.io.parquet;

import dev.lethe.io.ConfinedPaths;
import dev.lethe.util.Printable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.SeekableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Reads the rows of an Apache Parquet file, in Java only: the hub's files as {@code datasets} and pyarrow write them
 * (Snappy, dictionary pages, {@code list<element: string>}), and what DuckDB, parquet-java and parquetjs write.
 *
 * <p>Read: the footer ({@code PAR1}, Thrift compact {@code FileMetaData}); every row group; data pages v1 and v2
 * and dictionary pages; encodings PLAIN, PLAIN_DICTIONARY / RLE_DICTIONARY, the RLE / bit-packed hybrid (levels,
 * indices, booleans), DELTA_BINARY_PACKED, DELTA_LENGTH_BYTE_ARRAY, DELTA_BYTE_ARRAY, BYTE_STREAM_SPLIT; physical
 * types BOOLEAN, INT32, INT64, FLOAT, DOUBLE, BYTE_ARRAY (a {@code String} when annotated STRING / UTF8 / ENUM /
 * JSON, else {@code byte[]}) and FIXED_LEN_BYTE_ARRAY ({@code byte[]}); optional columns (null); lists of those
 * (3-level LIST, legacy 2-level LIST, bare {@code repeated}); compression UNCOMPRESSED, SNAPPY, GZIP and ZSTD.
 * Anything else in a column that is asked for (INT96, DECIMAL, structs, maps, nested lists, LZO / BROTLI / LZ4,
 * encrypted files, data in other files) is refused naming the file, the column and what is read.
 *
 * <p>A damaged file is refused naming the file (and the column and row group where the damage is) rather than read
 * wrongly: every offset and length is checked against the file and the bytes that hold it, and declared sizes are
 * bounded ({@link #MAX_ROWS} rows, {@link #MAX_VALUES} values per column chunk, 256 MiB per page) before memory is
 * allocated for them.
 */
public final class Parquet {
    /**
     * The most rows a file may declare: 1 048 576, ten times the largest benchmark file read (MMLU's auxiliary
     * training split, 99 842 rows), so that a hostile row count cannot make millions of rows from a few bytes.
     */
    public static final int MAX_ROWS = 1 << 20;

    /** The most values (levels) one column chunk may declare: 4 194 304, four list entries in each of the most rows. */
    public static final int MAX_VALUES = 1 << 22;

    private static final byte[] MAGIC = "PAR1".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] ENCRYPTED = "PARE".getBytes(StandardCharsets.US_ASCII);

    private Parquet() {}

    /**
     * A file's rows.
     *
     * @param columns every top-level column of the file, in its order
     * @param rows each row's values of the columns asked for (and present), by name, in the file's order; a list
     *     column's value is an unmodifiable {@code List}; null values are null
     */
    public record Table(List<String> columns, List<Map<String, @Nullable Object>> rows) {
        /** Copies the column names. */
        public Table {
            columns = List.copyOf(columns);
            rows = Collections.unmodifiableList(rows);
        }
    }

    /**
     * The rows of {@code file} with the columns named in {@code wanted} that it has (the others are not decoded, so
     * a column of a kind this reader does not read is refused only when asked for).
     *
     * @throws IllegalArgumentException naming the file (and the column and row group) for a file that is missing,
     *     not an ordinary file, not Parquet, damaged, or that uses what is not read in a column asked for
     * @throws UncheckedIOException when the file cannot be read
     */
    public static Table read(Path file, Collection<String> wanted) {
        ConfinedPaths.regularFile(file, "Parquet file");
        try (SeekableByteChannel ch = Files.newByteChannel(file, StandardOpenOption.READ)) {
            return read(ch, file, wanted);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }

    /** {@link #read(Path, Collection)} from {@code ch}, the bytes of {@code file}. */
    static Table read(SeekableByteChannel ch, Path file, Collection<String> wanted) throws IOException {
        String name = Printable.escape(file.toString());
        long size = ch.size();
        Thrift.Struct meta;
        long footerStart;
        try {
            if (size < 12) {
                throw new Corrupt("only " + size + " bytes, too short for Parquet (truncated?)");
            }
            byte[] head = bytes(ch, 0, 4);
            byte[] tail = bytes(ch, size - 8, 8);
            if (java.util.Arrays.equals(head, ENCRYPTED) || java.util.Arrays.equals(
                    java.util.Arrays.copyOfRange(tail, 4, 8), ENCRYPTED)) {
                throw new Corrupt("an encrypted Parquet file (PARE), which Lethe does not read");
            }
            if (!java.util.Arrays.equals(head, MAGIC)) {
                throw new Corrupt("not a Parquet file: it does not start with PAR1");
            }
            if (!java.util.Arrays.equals(java.util.Arrays.copyOfRange(tail, 4, 8), MAGIC)) {
                throw new Corrupt("does not end with PAR1: truncated, or not a Parquet file");
            }
            long footerLength = ByteBuffer.wrap(tail, 0, 4).order(ByteOrder.LITTLE_ENDIAN).getInt() & 0xFFFFFFFFL;
            if (footerLength > size - 12) {
                throw new Corrupt("a footer of " + footerLength + " bytes in a file of " + size + " (truncated?)");
            }
            footerStart = size - 8 - footerLength;
            byte[] footer = bytes(ch, footerStart, (int) footerLength);
            meta = new Thrift(footer, 0, footer.length).struct();
        } catch (Corrupt e) {
            throw new IllegalArgumentException(name + ": " + e.getMessage(), e);
        }
        Schema schema;
        long declaredRows;
        List<Thrift.Struct> groups;
        try {
            schema = new Schema(meta.list(2, Thrift.Struct.class, "the schema"));
            declaredRows = meta.i64(3, "the row count");
            groups = meta.has(4) ? meta.list(4, Thrift.Struct.class, "the row groups") : List.of();
        } catch (Corrupt e) {
            throw new IllegalArgumentException(name + ": the footer cannot be read: " + e.getMessage(), e);
        }
        if (declaredRows < 0 || declaredRows > MAX_ROWS) {
            throw new IllegalArgumentException(name + ": declares " + declaredRows + " rows; Lethe reads files of at "
                    + "most " + MAX_ROWS + " rows");
        }
        List<String> names = new ArrayList<>();
        List<Schema.Column> columns = new ArrayList<>();
        for (Map.Entry<String, Schema.Column> e : schema.columns().entrySet()) {
            if (wanted.contains(e.getKey())) {
                if (e.getValue().unsupported() != null) {
                    throw new IllegalArgumentException(name + ": " + e.getValue().unsupported());
                }
                names.add(e.getKey());
                columns.add(e.getValue());
            }
        }
        List<Map<String, @Nullable Object>> rows = new ArrayList<>();
        long total = 0;
        for (int g = 0; g < groups.size(); g++) {
            Thrift.Struct group = groups.get(g);
            int n;
            List<Thrift.Struct> chunks;
            try {
                n = group.count(3, "row group " + g + "'s row count", declaredRows - total);
                chunks = group.list(1, Thrift.Struct.class, "row group " + g + "'s columns");
                if (chunks.size() != schema.leaves()) {
                    throw new Corrupt("row group " + g + " has " + chunks.size() + " column chunks, the schema "
                            + schema.leaves());
                }
            } catch (Corrupt e) {
                throw new IllegalArgumentException(name + ": " + e.getMessage(), e);
            }
            total += n;
            List<@Nullable Object[]> read = new ArrayList<>();
            for (int i = 0; i < columns.size(); i++) {
                Schema.Column c = columns.get(i);
                try {
                    read.add(chunk(ch, chunks.get(c.leaf()), c, n, footerStart));
                } catch (Corrupt e) {
                    String leaf = c.path().equals(names.get(i)) ? "" : " (leaf " + c.path() + ")";
                    throw new IllegalArgumentException(name + ": column '" + names.get(i) + "'" + leaf + ", row group "
                            + g + ": " + e.getMessage(), e);
                }
            }
            for (int r = 0; r < n; r++) {
                Map<String, @Nullable Object> row = new LinkedHashMap<>();
                for (int i = 0; i < columns.size(); i++) {
                    row.put(names.get(i), read.get(i)[r]);
                }
                rows.add(Collections.unmodifiableMap(row));
            }
        }
        if (total != declaredRows) {
            throw new IllegalArgumentException(name + ": the row groups hold " + total + " rows, the footer declares "
                    + declaredRows);
        }
        return new Table(new ArrayList<>(schema.columns().keySet()), rows);
    }

    /** One row group's values of {@code c}, from its column chunk. */
    private static @Nullable Object[] chunk(SeekableByteChannel ch, Thrift.Struct chunk, Schema.Column c, int rows,
            long footerStart) throws IOException {
        if (chunk.has(1)) {
            throw new Corrupt("its data is in another file (" + chunk.string(1, "file_path") + "), which Lethe does "
                    + "not read");
        }
        Thrift.Struct m = chunk.struct(3, "the column chunk's metadata");
        List<String> path = new ArrayList<>();
        for (byte[] part : m.list(3, byte[].class, "the column chunk's path")) {
            path.add(new String(part, StandardCharsets.UTF_8));
        }
        if (!String.join(".", path).equals(c.path())) {
            throw new Corrupt("the column chunk is of '" + String.join(".", path) + "', the schema's leaf is '"
                    + c.path() + "'");
        }
        if (m.i64(1, "the chunk's type") != c.type()) {
            throw new Corrupt("the chunk's type differs from the schema's " + Schema.TYPES.get(c.type()));
        }
        int codec = (int) m.i64(4, "the compression codec");
        Codecs.requireSupported(codec);
        int values = m.count(5, "the chunk's value count", MAX_VALUES);
        long data = m.i64(9, "the first data page's offset");
        long dictionary = m.i64(11, -1);
        long start = dictionary > 0 && dictionary < data ? dictionary : data;
        long length = m.i64(7, "the chunk's compressed size");
        if (start < 4 || length < 0 || length > Integer.MAX_VALUE - 8 || start + length > footerStart) {
            throw new Corrupt("the chunk's bytes [" + start + ", " + (start + length) + ") lie outside the data "
                    + "(4 to " + footerStart + "): truncated or damaged");
        }
        return ColumnChunks.read(bytes(ch, start, (int) length), c, codec, values, rows);
    }

    private static byte[] bytes(SeekableByteChannel ch, long position, int length) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(length);
        ch.position(position);
        while (b.hasRemaining()) {
            if (ch.read(b) < 0) {
                throw new Corrupt("ends before byte " + (position + length) + " (truncated?)");
            }
        }
        return b.array();
    }
}
