package dev.lethe.io.parquet;

/**
 * The delta encodings of {@code Encodings.md}, which writers choose for data page v2 (DuckDB's {@code
 * PARQUET_VERSION v2}, parquet-java's v2 writer): DELTA_BINARY_PACKED (integers; also the lengths of the two
 * below), DELTA_LENGTH_BYTE_ARRAY and DELTA_BYTE_ARRAY (strings), and BYTE_STREAM_SPLIT (fixed-width values).
 */
final class Delta {
    private static final int MAX_BLOCK = 1 << 20;

    private Delta() {}

    /** Decoded integers and the position after them. */
    record Longs(long[] values, int end) {}

    /**
     * DELTA_BINARY_PACKED: a header (block size, miniblocks per block, value count, first value), then blocks of a
     * minimum delta, one bit width per miniblock and the bit-packed deltas.
     *
     * @param count the values expected (the header must say the same)
     * @throws Corrupt when the header is out of range, the count differs or the data ends early
     */
    static Longs binaryPacked(byte[] buf, int from, int to, int count) {
        int[] pos = {from};
        long blockSize = varint(buf, pos, to);
        long miniblocks = varint(buf, pos, to);
        long total = varint(buf, pos, to);
        long value = zigzag(varint(buf, pos, to));
        if (blockSize <= 0 || blockSize > MAX_BLOCK || blockSize % 128 != 0 || miniblocks <= 0
                || blockSize % miniblocks != 0 || (blockSize / miniblocks) % 32 != 0) {
            throw new Corrupt("a DELTA_BINARY_PACKED header with block size " + blockSize + " and " + miniblocks
                    + " miniblocks");
        }
        if (total != count) {
            throw new Corrupt("a DELTA_BINARY_PACKED run of " + total + " values where " + count + " are expected");
        }
        int perMini = (int) (blockSize / miniblocks);
        long[] out = new long[count];
        int n = 0;
        if (count > 0) {
            out[n++] = value;
        }
        while (n < count) {
            long minDelta = zigzag(varint(buf, pos, to));
            if (to - pos[0] < miniblocks) {
                throw new Corrupt("DELTA_BINARY_PACKED bit widths are truncated");
            }
            int widths = pos[0];
            pos[0] += (int) miniblocks;
            for (int m = 0; m < miniblocks && n < count; m++) {
                int width = buf[widths + m] & 0xFF;
                if (width > 64) {
                    throw new Corrupt("a DELTA_BINARY_PACKED bit width of " + width);
                }
                long bytes = (long) width * perMini / 8;
                if (to - pos[0] < bytes) {
                    throw new Corrupt("a DELTA_BINARY_PACKED miniblock is truncated");
                }
                for (int i = 0; i < perMini && n < count; i++) {
                    long delta = width == 0 ? 0 : Hybrid.bits(buf, pos[0], (long) i * width, width);
                    value += minDelta + delta;
                    out[n++] = value;
                }
                pos[0] += (int) bytes;
            }
        }
        return new Longs(out, pos[0]);
    }

    /**
     * DELTA_LENGTH_BYTE_ARRAY: the lengths, DELTA_BINARY_PACKED, then the values' bytes one after another.
     *
     * @throws Corrupt when a length is negative or the bytes end early
     */
    static byte[][] lengthByteArray(byte[] buf, int from, int to, int count) {
        Longs lengths = binaryPacked(buf, from, to, count);
        byte[][] out = new byte[count][];
        int pos = lengths.end();
        for (int i = 0; i < count; i++) {
            long len = lengths.values()[i];
            if (len < 0 || len > to - pos) {
                throw new Corrupt("a DELTA_LENGTH_BYTE_ARRAY value of " + len + " bytes with " + (to - pos) + " left");
            }
            out[i] = java.util.Arrays.copyOfRange(buf, pos, pos + (int) len);
            pos += (int) len;
        }
        return out;
    }

    /**
     * DELTA_BYTE_ARRAY: prefix lengths and suffix lengths (both DELTA_BINARY_PACKED), then the suffixes; each value is
     * the previous value's first {@code prefix} bytes followed by its suffix.
     *
     * @throws Corrupt when a prefix is longer than the previous value, or the bytes end early
     */
    static byte[][] byteArray(byte[] buf, int from, int to, int count) {
        Longs prefixes = binaryPacked(buf, from, to, count);
        byte[][] suffixes = lengthByteArray(buf, prefixes.end(), to, count);
        byte[][] out = new byte[count][];
        byte[] previous = new byte[0];
        for (int i = 0; i < count; i++) {
            long prefix = prefixes.values()[i];
            if (prefix < 0 || prefix > previous.length) {
                throw new Corrupt("a DELTA_BYTE_ARRAY prefix of " + prefix + " bytes after a value of "
                        + previous.length);
            }
            byte[] v = new byte[(int) prefix + suffixes[i].length];
            System.arraycopy(previous, 0, v, 0, (int) prefix);
            System.arraycopy(suffixes[i], 0, v, (int) prefix, suffixes[i].length);
            out[i] = v;
            previous = v;
        }
        return out;
    }

    /**
     * BYTE_STREAM_SPLIT: {@code width} streams of {@code count} bytes, stream k holding byte k (little-endian) of
     * every value; returns each value's bytes in order, little-endian.
     *
     * @throws Corrupt when the data is not exactly {@code width × count} bytes
     */
    static byte[] streamSplit(byte[] buf, int from, int to, int count, int width) {
        if ((long) count * width != to - from) {
            throw new Corrupt("BYTE_STREAM_SPLIT data of " + (to - from) + " bytes for " + count + " values of "
                    + width + " bytes");
        }
        byte[] out = new byte[count * width];
        for (int k = 0; k < width; k++) {
            for (int i = 0; i < count; i++) {
                out[i * width + k] = buf[from + k * count + i];
            }
        }
        return out;
    }

    private static long varint(byte[] buf, int[] pos, int to) {
        long result = 0;
        for (int shift = 0; shift < 64; shift += 7) {
            if (pos[0] >= to) {
                throw new Corrupt("a delta-encoded header is truncated");
            }
            int b = buf[pos[0]++] & 0xFF;
            result |= (long) (b & 0x7F) << shift;
            if ((b & 0x80) == 0) {
                return result;
            }
        }
        throw new Corrupt("a varint longer than 10 bytes");
    }

    private static long zigzag(long n) {
        return (n >>> 1) ^ -(n & 1);
    }
}
