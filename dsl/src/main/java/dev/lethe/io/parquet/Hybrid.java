package dev.lethe.io.parquet;

/**
 * Parquet's RLE / bit-packing hybrid ({@code Encodings.md}, "Run Length Encoding / Bit-Packing Hybrid"): runs of one
 * repeated value, {@code varint(count << 1)} then the value in ⌈bit width / 8⌉ bytes, and bit-packed groups of 8
 * values, {@code varint(groups << 1 | 1)} then the values packed from the least significant bit. Definition and
 * repetition levels, dictionary indices and RLE booleans use it.
 */
final class Hybrid {
    private Hybrid() {}

    /** The bit width of values 0 to {@code max}. */
    static int bitWidth(int max) {
        return 32 - Integer.numberOfLeadingZeros(max);
    }

    /**
     * Decodes {@code count} values of {@code bitWidth} bits from {@code buf[from, to)} into {@code out[off, off +
     * count)}; a last bit-packed run may stop short of its declared groups once the values are read.
     *
     * @return the position after the runs read
     * @throws Corrupt when the runs end before {@code count} values, or a repeated value does not fit the width
     */
    static int decode(byte[] buf, int from, int to, int bitWidth, int[] out, int off, int count) {
        if (bitWidth < 0 || bitWidth > 32) {
            throw new Corrupt("a bit width of " + bitWidth + " (at most 32)");
        }
        int pos = from;
        int n = 0;
        while (n < count) {
            if (pos >= to) {
                throw new Corrupt("RLE/bit-packed data ends after " + n + " of " + count + " values");
            }
            long header = 0;
            for (int shift = 0; ; shift += 7) {
                if (pos >= to || shift > 35) {
                    throw new Corrupt("an RLE/bit-packed run header is truncated or too long");
                }
                int b = buf[pos++] & 0xFF;
                header |= (long) (b & 0x7F) << shift;
                if ((b & 0x80) == 0) {
                    break;
                }
            }
            if ((header & 1) == 0) {
                int bytes = (bitWidth + 7) / 8;
                if (to - pos < bytes) {
                    throw new Corrupt("an RLE run's value is truncated");
                }
                long value = 0;
                for (int i = 0; i < bytes; i++) {
                    value |= (buf[pos++] & 0xFFL) << (8 * i);
                }
                if (bitWidth < 32 && value >>> bitWidth != 0) {
                    throw new Corrupt("an RLE run's value " + value + " does not fit in " + bitWidth + " bits");
                }
                long take = Math.min(header >>> 1, count - n);
                java.util.Arrays.fill(out, off + n, off + n + (int) take, (int) value);
                n += (int) take;
            } else {
                long values = (header >>> 1) * 8;
                long bytes = (header >>> 1) * bitWidth;
                long available = Math.min(bytes, to - pos);
                long take = Math.min(values, count - n);
                if (bitWidth > 0 && take * bitWidth > available * 8) {
                    throw new Corrupt("a bit-packed run is truncated: " + available + " bytes for " + take
                            + " values of " + bitWidth + " bits");
                }
                unpack(buf, pos, bitWidth, out, off + n, (int) take);
                n += (int) take;
                pos += (int) available;
            }
        }
        return pos;
    }

    /** {@code count} values of {@code bitWidth} bits packed from the least significant bit at {@code buf[from]}. */
    static void unpack(byte[] buf, int from, int bitWidth, int[] out, int off, int count) {
        long mask = (1L << bitWidth) - 1;
        for (int i = 0; i < count; i++) {
            out[off + i] = (int) (bits(buf, from, (long) i * bitWidth, bitWidth) & mask);
        }
    }

    /** {@code width} (≤ 64) bits starting at bit {@code bit} after {@code buf[from]}, least significant first. */
    static long bits(byte[] buf, int from, long bit, int width) {
        long value = 0;
        int got = 0;
        long b = bit;
        while (got < width) {
            int index = from + (int) (b >>> 3);
            int shift = (int) (b & 7);
            int chunk = Math.min(8 - shift, width - got);
            long piece = ((buf[index] & 0xFF) >>> shift) & ((1 << chunk) - 1);
            value |= piece << got;
            got += chunk;
            b += chunk;
        }
        return value;
    }
}
