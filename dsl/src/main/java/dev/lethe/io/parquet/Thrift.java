package dev.lethe.io.parquet;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Thrift's compact protocol, read into generic structs (field id → value), as Parquet's footer and page headers are
 * written. Integers of every width read as {@code Long}, booleans as {@code Boolean}, binary as {@code byte[]},
 * lists and sets as {@code List}, structs as {@link Struct}; maps are read past and dropped (Parquet's metadata that
 * this reader uses has none). Every length is checked against the bytes left, and nesting is limited, so a hostile
 * footer ends in {@link Corrupt}, never in a huge allocation or a deep recursion.
 */
final class Thrift {
    private static final int MAX_DEPTH = 32;

    private final byte[] buf;
    private final int end;
    private int pos;
    private int depth;

    /** Reads {@code buf[from, end)}. */
    Thrift(byte[] buf, int from, int end) {
        this.buf = buf;
        this.pos = from;
        this.end = end;
    }

    /** The position after what was read. */
    int position() {
        return pos;
    }

    /**
     * A struct's fields up to its stop byte.
     *
     * @throws Corrupt when the bytes end first or do not follow the protocol
     */
    Struct struct() {
        if (++depth > MAX_DEPTH) {
            throw new Corrupt("Thrift structs nested deeper than " + MAX_DEPTH);
        }
        Map<Integer, Object> fields = new HashMap<>();
        int last = 0;
        while (true) {
            int header = readByte();
            if (header == 0) {
                break;
            }
            int type = header & 0x0F;
            int delta = (header >>> 4) & 0x0F;
            int id = delta != 0 ? last + delta : (short) zigzag(varint());
            last = id;
            Object value = type == 1 ? Boolean.TRUE : type == 2 ? Boolean.FALSE : value(type);
            if (value != null) {
                fields.put(id, value);
            }
        }
        depth--;
        return new Struct(fields);
    }

    private @Nullable Object value(int type) {
        switch (type) {
            case 3:
                return (long) (byte) readByte();
            case 4:
            case 5:
            case 6:
                return zigzag(varint());
            case 7:
                need(8);
                long bits = 0;
                for (int i = 0; i < 8; i++) {
                    bits |= (buf[pos + i] & 0xFFL) << (8 * i);
                }
                pos += 8;
                return Double.longBitsToDouble(bits);
            case 8:
                int n = length();
                byte[] b = java.util.Arrays.copyOfRange(buf, pos, pos + n);
                pos += n;
                return b;
            case 9:
            case 10:
                return list();
            case 11:
                map();
                return null;
            case 12:
                return struct();
            default:
                throw new Corrupt("Thrift type " + type + " is not part of the compact protocol");
        }
    }

    private List<Object> list() {
        int header = readByte();
        int size = (header >>> 4) & 0x0F;
        if (size == 15) {
            size = length();
        }
        int type = header & 0x0F;
        List<Object> out = new ArrayList<>(Math.min(size, end - pos));
        for (int i = 0; i < size; i++) {
            if (type == 1 || type == 2) {
                out.add(readByte() == 1);
            } else {
                Object v = value(type);
                if (v != null) {
                    out.add(v);
                }
            }
        }
        return out;
    }

    private void map() {
        int size = length();
        if (size == 0) {
            return;
        }
        int types = readByte();
        for (int i = 0; i < size; i++) {
            for (int type : new int[] {(types >>> 4) & 0x0F, types & 0x0F}) {
                if (type == 1 || type == 2) {
                    readByte();
                } else {
                    value(type);
                }
            }
        }
    }

    /** A non-negative varint that can be no larger than the bytes left (a length or a count of items). */
    private int length() {
        long n = varint();
        if (n < 0 || n > end - pos) {
            throw new Corrupt("a Thrift length of " + n + " with only " + (end - pos) + " bytes left");
        }
        return (int) n;
    }

    private long varint() {
        long result = 0;
        for (int shift = 0; shift < 64; shift += 7) {
            int b = readByte();
            result |= (long) (b & 0x7F) << shift;
            if ((b & 0x80) == 0) {
                return result;
            }
        }
        throw new Corrupt("a Thrift varint longer than 10 bytes");
    }

    private static long zigzag(long n) {
        return (n >>> 1) ^ -(n & 1);
    }

    private int readByte() {
        need(1);
        return buf[pos++] & 0xFF;
    }

    private void need(int n) {
        if (end - pos < n) {
            throw new Corrupt("the Thrift metadata ends early (truncated file?)");
        }
    }

    /** A struct's fields by id, with typed accessors that name what is missing or mistyped. */
    record Struct(Map<Integer, Object> fields) {
        boolean has(int id) {
            return fields.containsKey(id);
        }

        /** The integer field {@code id}; {@code what} names it for the error when it is missing. */
        long i64(int id, String what) {
            return get(id, Long.class, what);
        }

        /** The integer field {@code id}, or {@code fallback} when absent. */
        long i64(int id, long fallback) {
            Object v = fields.get(id);
            return v instanceof Long l ? l : fallback;
        }

        /** The integer field {@code id} as an int, required to lie in [0, max]. */
        int count(int id, String what, long max) {
            long v = i64(id, what);
            if (v < 0 || v > max) {
                throw new Corrupt(what + " is " + v + ", outside 0 to " + max);
            }
            return (int) v;
        }

        boolean bool(int id, boolean fallback) {
            Object v = fields.get(id);
            return v instanceof Boolean b ? b : fallback;
        }

        String string(int id, String what) {
            return new String(get(id, byte[].class, what), StandardCharsets.UTF_8);
        }

        Struct struct(int id, String what) {
            return get(id, Struct.class, what);
        }

        @Nullable Struct optionalStruct(int id) {
            Object v = fields.get(id);
            return v instanceof Struct s ? s : null;
        }

        /** The list field {@code id} of elements of class {@code type}. */
        <T> List<T> list(int id, Class<T> type, String what) {
            List<?> l = get(id, List.class, what);
            List<T> out = new ArrayList<>(l.size());
            for (Object o : l) {
                if (!type.isInstance(o)) {
                    throw new Corrupt(what + " holds a " + o.getClass().getSimpleName() + ", expected "
                            + type.getSimpleName());
                }
                out.add(type.cast(o));
            }
            return out;
        }

        private <T> T get(int id, Class<T> type, String what) {
            Object v = fields.get(id);
            if (v == null) {
                throw new Corrupt(what + " (Thrift field " + id + ") is missing");
            }
            if (!type.isInstance(v)) {
                throw new Corrupt(what + " (Thrift field " + id + ") is a " + v.getClass().getSimpleName()
                        + ", expected " + type.getSimpleName());
            }
            return type.cast(v);
        }
    }
}
