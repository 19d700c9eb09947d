package dev.lethe.io.parquet;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * One column chunk's pages (DICTIONARY_PAGE, DATA_PAGE, DATA_PAGE_V2) decoded into the column's value of each row:
 * the definition and repetition levels (RLE / bit-packed hybrid), the values (PLAIN, PLAIN_DICTIONARY /
 * RLE_DICTIONARY, RLE booleans, the delta encodings and BYTE_STREAM_SPLIT), then the rows assembled from the levels:
 * a value or null, or for a list column a list (possibly empty, possibly holding nulls) or null.
 */
final class ColumnChunks {
    /** Encodings by their number in {@code parquet.thrift}. */
    static final List<String> ENCODINGS = List.of("PLAIN", "GROUP_VAR_INT", "PLAIN_DICTIONARY", "RLE", "BIT_PACKED",
            "DELTA_BINARY_PACKED", "DELTA_LENGTH_BYTE_ARRAY", "DELTA_BYTE_ARRAY", "RLE_DICTIONARY",
            "BYTE_STREAM_SPLIT");

    private static final int PLAIN = 0;
    private static final int PLAIN_DICTIONARY = 2;
    private static final int RLE = 3;
    private static final int RLE_DICTIONARY = 8;

    private final Schema.Column column;
    private final int codec;
    private final CharsetDecoder utf8 = StandardCharsets.UTF_8.newDecoder()
            .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT);
    private Object @Nullable [] dictionary;
    private int[] defs = new int[16];
    private int[] reps = new int[16];
    private int levels;
    private final List<Object> values = new ArrayList<>();

    private ColumnChunks(Schema.Column column, int codec) {
        this.column = column;
        this.codec = codec;
    }

    /**
     * The value of {@code column} in each of a row group's {@code rows} rows, from the chunk's bytes.
     *
     * @param chunk the column chunk, from its first page to its end
     * @param valueCount the chunk's values (levels) as its metadata declares
     * @throws Corrupt when a page is malformed, uses an encoding not read, or the levels do not make {@code rows}
     *     rows
     */
    static @Nullable Object[] read(byte[] chunk, Schema.Column column, int codec, int valueCount, int rows) {
        ColumnChunks c = new ColumnChunks(column, codec);
        int pos = 0;
        while (c.levels < valueCount) {
            if (pos >= chunk.length) {
                throw new Corrupt("the column chunk ends after " + c.levels + " of its " + valueCount + " values");
            }
            pos = c.page(chunk, pos, valueCount - c.levels);
        }
        return c.assemble(rows);
    }

    /** Reads the page at {@code pos}; returns the position after it. */
    private int page(byte[] chunk, int pos, int left) {
        Thrift t = new Thrift(chunk, pos, chunk.length);
        Thrift.Struct h = t.struct();
        int body = t.position();
        int type = (int) h.i64(1, "the page type");
        int size = h.count(2, "the page's uncompressed size", Codecs.MAX_PAGE_BYTES);
        int end = body + h.count(3, "the page's compressed size", chunk.length - body);
        switch (type) {
            case 2 -> dictionaryPage(h.struct(7, "the dictionary page header"), chunk, body, end, size);
            case 0 -> dataPage(h.struct(5, "the data page header"), chunk, body, end, size, left);
            case 3 -> dataPageV2(h.struct(8, "the data page v2 header"), chunk, body, end, size, left);
            case 1 -> { } // INDEX_PAGE: nothing to read
            default -> throw new Corrupt("page type " + type + " is not part of the format");
        }
        return end;
    }

    private void dictionaryPage(Thrift.Struct h, byte[] chunk, int body, int end, int size) {
        if (dictionary != null) {
            throw new Corrupt("a second dictionary page");
        }
        int encoding = (int) h.i64(2, "the dictionary's encoding");
        if (encoding != PLAIN && encoding != PLAIN_DICTIONARY) {
            throw unsupported("dictionary", encoding);
        }
        byte[] data = Codecs.decompress(codec, chunk, body, end, size);
        int n = h.count(1, "the dictionary's value count", 8L * data.length);
        dictionary = plain(data, 0, data.length, n);
    }

    private void dataPage(Thrift.Struct h, byte[] chunk, int body, int end, int size, int left) {
        int n = h.count(1, "the data page's value count", left);
        byte[] data = Codecs.decompress(codec, chunk, body, end, size);
        int pos = 0;
        int start = grow(n);
        if (column.maxRep() > 0) {
            pos = prefixedLevels(data, pos, (int) h.i64(4, "the repetition levels' encoding"), column.maxRep(), reps,
                    start, n, "repetition");
        }
        if (column.maxDef() > 0) {
            pos = prefixedLevels(data, pos, (int) h.i64(3, "the definition levels' encoding"), column.maxDef(), defs,
                    start, n, "definition");
        }
        values(data, pos, data.length, (int) h.i64(2, "the data page's encoding"), start, n);
    }

    private void dataPageV2(Thrift.Struct h, byte[] chunk, int body, int end, int size, int left) {
        int n = h.count(1, "the data page's value count", left);
        int repLength = h.count(6, "the repetition levels' length", end - body);
        int defLength = h.count(5, "the definition levels' length", end - body - repLength);
        int start = grow(n);
        if (column.maxRep() > 0) {
            Hybrid.decode(chunk, body, body + repLength, Hybrid.bitWidth(column.maxRep()), reps, start, n);
        }
        if (column.maxDef() > 0) {
            Hybrid.decode(chunk, body + repLength, body + repLength + defLength, Hybrid.bitWidth(column.maxDef()),
                    defs, start, n);
        }
        int from = body + repLength + defLength;
        int valueSize = size - repLength - defLength;
        if (valueSize < 0) {
            throw new Corrupt("a data page v2 whose levels are longer than the page");
        }
        byte[] data = h.bool(7, true) ? Codecs.decompress(codec, chunk, from, end, valueSize)
                : Codecs.decompress(0, chunk, from, end, valueSize);
        values(data, 0, data.length, (int) h.i64(4, "the data page's encoding"), start, n);
    }

    /** Room for {@code n} more levels, filled with the defaults of a column without them; returns where they go. */
    private int grow(int n) {
        int start = levels;
        if (start + n > defs.length) {
            int capacity = Math.max(start + n, 2 * defs.length);
            defs = Arrays.copyOf(defs, capacity);
            reps = Arrays.copyOf(reps, capacity);
        }
        Arrays.fill(defs, start, start + n, column.maxDef());
        Arrays.fill(reps, start, start + n, 0);
        levels += n;
        return start;
    }

    private static int prefixedLevels(byte[] data, int pos, int encoding, int max, int[] out, int start, int n,
            String what) {
        if (encoding != RLE) {
            throw new Corrupt(what + " levels encoded " + name(encoding) + " are not read (only RLE)");
        }
        int length = lengthPrefix(data, pos);
        int end = pos + 4 + length;
        Hybrid.decode(data, pos + 4, end, Hybrid.bitWidth(max), out, start, n);
        return end;
    }

    private static int lengthPrefix(byte[] data, int pos) {
        if (data.length - pos < 4) {
            throw new Corrupt("a length prefix is truncated");
        }
        long length = ByteBuffer.wrap(data, pos, 4).order(java.nio.ByteOrder.LITTLE_ENDIAN).getInt() & 0xFFFFFFFFL;
        if (length > data.length - pos - 4) {
            throw new Corrupt("a length prefix of " + length + " bytes with " + (data.length - pos - 4) + " left");
        }
        return (int) length;
    }

    /** Decodes the non-null values of the page whose levels are at {@code start}, {@code n} of them. */
    private void values(byte[] data, int from, int to, int encoding, int start, int n) {
        int present = 0;
        for (int i = start; i < start + n; i++) {
            if (defs[i] > column.maxDef() || reps[i] > column.maxRep()) {
                throw new Corrupt("a level above the column's maximum");
            }
            if (defs[i] == column.maxDef()) {
                present++;
            }
        }
        if (present == 0) {
            return;
        }
        int type = column.type();
        switch (encoding) {
            case PLAIN -> values.addAll(Arrays.asList(plain(data, from, to, present)));
            case PLAIN_DICTIONARY, RLE_DICTIONARY -> {
                if (dictionary == null) {
                    throw new Corrupt("dictionary-encoded values without a dictionary page");
                }
                if (from >= to) {
                    throw new Corrupt("dictionary indices are missing");
                }
                int[] indices = new int[present];
                Hybrid.decode(data, from + 1, to, data[from] & 0xFF, indices, 0, present);
                for (int index : indices) {
                    if (index < 0 || index >= dictionary.length) {
                        throw new Corrupt("dictionary index " + index + " outside the " + dictionary.length
                                + " entries");
                    }
                    values.add(dictionary[index]);
                }
            }
            case RLE -> {
                if (type != 0) {
                    throw unsupported(Schema.TYPES.get(type) + " values", encoding);
                }
                int[] bits = new int[present];
                Hybrid.decode(data, from + 4, from + 4 + lengthPrefix(data, from), 1, bits, 0, present);
                for (int b : bits) {
                    values.add(b == 1);
                }
            }
            case 5 -> {
                requireType(encoding, 1, 2);
                for (long v : Delta.binaryPacked(data, from, to, present).values()) {
                    values.add(type == 1 ? (Object) (int) v : (Object) v);
                }
            }
            case 6, 7 -> {
                requireType(encoding, 6, 7);
                for (byte[] b : encoding == 6 ? Delta.lengthByteArray(data, from, to, present)
                        : Delta.byteArray(data, from, to, present)) {
                    values.add(bytes(b));
                }
            }
            case 9 -> {
                int width = switch (type) {
                    case 1, 4 -> 4;
                    case 2, 5 -> 8;
                    case 7 -> column.typeLength();
                    default -> throw unsupported(Schema.TYPES.get(type) + " values", encoding);
                };
                byte[] joined = Delta.streamSplit(data, from, to, present, width);
                values.addAll(Arrays.asList(plain(joined, 0, joined.length, present)));
            }
            default -> throw unsupported(Schema.TYPES.get(type) + " values", encoding);
        }
    }

    private void requireType(int encoding, int... types) {
        for (int t : types) {
            if (column.type() == t) {
                return;
            }
        }
        throw unsupported(Schema.TYPES.get(column.type()) + " values", encoding);
    }

    /** {@code n} PLAIN values of the column's type from {@code data[from, to)}. */
    private Object[] plain(byte[] data, int from, int to, int n) {
        int type = column.type();
        int width = switch (type) {
            case 0 -> 0;
            case 1, 4 -> 4;
            case 2, 5 -> 8;
            case 6 -> 4; // at least the length prefix
            case 7 -> column.typeLength();
            default -> throw new Corrupt(Schema.TYPES.get(type) + " values are not read");
        };
        long needed = type == 0 ? (n + 7L) / 8 : (long) n * width;
        if (needed > to - from || type == 7 && width <= 0) {
            throw new Corrupt(n + " PLAIN " + Schema.TYPES.get(type) + " values cannot fit in " + (to - from)
                    + " bytes");
        }
        ByteBuffer b = ByteBuffer.wrap(data, from, to - from).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        Object[] out = new Object[n];
        for (int i = 0; i < n; i++) {
            out[i] = switch (type) {
                case 0 -> ((data[from + i / 8] >>> (i % 8)) & 1) == 1;
                case 1 -> b.getInt();
                case 2 -> b.getLong();
                case 4 -> b.getFloat();
                case 5 -> b.getDouble();
                case 6 -> {
                    if (b.remaining() < 4) {
                        throw new Corrupt("PLAIN BYTE_ARRAY values end after " + i + " of " + n);
                    }
                    long len = b.getInt() & 0xFFFFFFFFL;
                    if (len > b.remaining()) {
                        throw new Corrupt("a BYTE_ARRAY value of " + len + " bytes with " + b.remaining() + " left");
                    }
                    byte[] v = new byte[(int) len];
                    b.get(v);
                    yield bytes(v);
                }
                default -> {
                    byte[] v = new byte[width];
                    b.get(v);
                    yield v;
                }
            };
        }
        return out;
    }

    /** A BYTE_ARRAY value: the text of a string column (strict UTF-8), else the bytes. */
    private Object bytes(byte[] v) {
        if (!column.string()) {
            return v;
        }
        try {
            CharBuffer text = utf8.decode(ByteBuffer.wrap(v));
            return text.toString();
        } catch (CharacterCodingException e) {
            throw new Corrupt("a value of the string column is not valid UTF-8");
        }
    }

    /** Each row's value from the levels and the values read. */
    private @Nullable Object[] assemble(int rows) {
        int maxDef = column.maxDef();
        if (values.size() != count(defs, levels, maxDef)) {
            throw new Corrupt("the pages hold " + values.size() + " values for " + count(defs, levels, maxDef)
                    + " non-null levels");
        }
        @Nullable Object[] out = new Object[rows];
        int row = -1;
        int v = 0;
        @Nullable List<@Nullable Object> list = null;
        for (int i = 0; i < levels; i++) {
            int def = defs[i];
            if (column.maxRep() == 0) {
                if (++row >= rows) {
                    break;
                }
                out[row] = def == maxDef ? values.get(v++) : null;
                continue;
            }
            if (reps[i] == 0) {
                if (++row >= rows) {
                    break;
                }
                list = def < column.listDef() ? null : new ArrayList<>();
                out[row] = list == null ? null : Collections.unmodifiableList(list);
                if (def <= column.listDef()) {
                    continue;
                }
            } else if (list == null || def <= column.listDef()) {
                throw new Corrupt("a repeated value outside a list");
            }
            list.add(def == maxDef ? values.get(v++) : null);
        }
        if (row + 1 != rows) {
            throw new Corrupt("the column's levels make " + (row + 1) + " rows, the row group has " + rows);
        }
        return out;
    }

    private static int count(int[] levels, int n, int value) {
        int c = 0;
        for (int i = 0; i < n; i++) {
            if (levels[i] == value) {
                c++;
            }
        }
        return c;
    }

    private Corrupt unsupported(String what, int encoding) {
        return new Corrupt(what + " encoded " + name(encoding) + " are not read; Lethe reads PLAIN, "
                + "PLAIN_DICTIONARY, RLE_DICTIONARY, RLE (booleans), DELTA_BINARY_PACKED, DELTA_LENGTH_BYTE_ARRAY, "
                + "DELTA_BYTE_ARRAY and BYTE_STREAM_SPLIT");
    }

    private static String name(int encoding) {
        return encoding >= 0 && encoding < ENCODINGS.size() ? ENCODINGS.get(encoding) : "encoding " + encoding;
    }
}
