package dev.lethe.io.parquet;

/**
 * Snappy's raw block format (no framing), as Parquet's {@code SNAPPY} codec stores each page: a varint of the
 * uncompressed length, then literals and back-references ({@code google/snappy/format_description.txt}). Every
 * length and offset is checked, so a corrupt block ends in {@link Corrupt}.
 */
final class Snappy {
    /**
     * The most bytes a Snappy block can expand to per byte read: a 3-byte copy writes at most 64 bytes.
     */
    static final int MAX_RATIO = 22;

    private Snappy() {}

    /**
     * Decompresses {@code in[from, to)}, which must hold exactly {@code expected} bytes once expanded.
     *
     * @throws Corrupt when the block is malformed or its length is not {@code expected}
     */
    static byte[] decompress(byte[] in, int from, int to, int expected) {
        int pos = from;
        long length = 0;
        for (int shift = 0; ; shift += 7) {
            if (pos >= to || shift > 28) {
                throw new Corrupt("the Snappy block's length is truncated or too long");
            }
            int b = in[pos++] & 0xFF;
            length |= (long) (b & 0x7F) << shift;
            if ((b & 0x80) == 0) {
                break;
            }
        }
        if (length != expected) {
            throw new Corrupt("the Snappy block holds " + length + " bytes, the page header says " + expected);
        }
        byte[] out = new byte[expected];
        int o = 0;
        while (pos < to) {
            int tag = in[pos++] & 0xFF;
            int kind = tag & 3;
            if (kind == 0) {
                int len = tag >>> 2;
                if (len >= 60) {
                    int bytes = len - 59;
                    if (to - pos < bytes) {
                        throw new Corrupt("a Snappy literal's length is truncated");
                    }
                    len = 0;
                    for (int i = 0; i < bytes; i++) {
                        len |= (in[pos++] & 0xFF) << (8 * i);
                    }
                }
                long n = (len & 0xFFFFFFFFL) + 1;
                if (n > to - pos || n > out.length - o) {
                    throw new Corrupt("a Snappy literal of " + n + " bytes runs past the block");
                }
                System.arraycopy(in, pos, out, o, (int) n);
                pos += (int) n;
                o += (int) n;
                continue;
            }
            int len;
            int offset;
            if (kind == 1) {
                if (to - pos < 1) {
                    throw new Corrupt("a Snappy copy is truncated");
                }
                len = 4 + ((tag >>> 2) & 7);
                offset = ((tag >>> 5) << 8) | (in[pos++] & 0xFF);
            } else {
                int bytes = kind == 2 ? 2 : 4;
                if (to - pos < bytes) {
                    throw new Corrupt("a Snappy copy is truncated");
                }
                len = 1 + (tag >>> 2);
                long off = 0;
                for (int i = 0; i < bytes; i++) {
                    off |= (in[pos++] & 0xFFL) << (8 * i);
                }
                if (off > Integer.MAX_VALUE) {
                    throw new Corrupt("a Snappy copy's offset " + off + " is out of range");
                }
                offset = (int) off;
            }
            if (offset <= 0 || offset > o || len > out.length - o) {
                throw new Corrupt("a Snappy copy (offset " + offset + ", " + len + " bytes) reaches outside the "
                        + "block");
            }
            for (int i = 0; i < len; i++) {
                out[o] = out[o - offset];
                o++;
            }
        }
        if (o != expected) {
            throw new Corrupt("the Snappy block expands to " + o + " bytes, not the " + expected + " it declares");
        }
        return out;
    }
}
