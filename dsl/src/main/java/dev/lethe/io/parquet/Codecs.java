package dev.lethe.io.parquet;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.zip.GZIPInputStream;

/**
 * The page compression codecs read ({@code CompressionCodec} in {@code parquet.thrift}): UNCOMPRESSED, SNAPPY (what
 * pyarrow and {@code datasets} write by default), GZIP (java.util.zip) and ZSTD. The others (LZO, BROTLI, LZ4,
 * LZ4_RAW) are refused by name. A page's declared size is checked before anything is allocated: at most
 * {@link #MAX_PAGE_BYTES}, and no more than the codec can expand the compressed bytes to.
 */
final class Codecs {
    /** The largest page read, uncompressed: 256 MiB (pyarrow writes pages of about 1 MiB). */
    static final int MAX_PAGE_BYTES = 1 << 28;

    /** The codecs' names by their number in {@code parquet.thrift}. */
    static final List<String> NAMES = List.of("UNCOMPRESSED", "SNAPPY", "GZIP", "LZO", "BROTLI", "LZ4", "ZSTD",
            "LZ4_RAW");

    /** Deflate's largest expansion: 1032 to 1 (zlib's technical details). */
    private static final int DEFLATE_RATIO = 1032;

    private Codecs() {}

    /** The name of codec number {@code codec}. */
    static String name(int codec) {
        return codec >= 0 && codec < NAMES.size() ? NAMES.get(codec) : "codec " + codec;
    }

    /**
     * Refuses a codec this reader does not decompress, naming it and the ones it does.
     *
     * @throws Corrupt for LZO, BROTLI, LZ4, LZ4_RAW and numbers outside the format
     */
    static void requireSupported(int codec) {
        if (codec < 0 || codec > 2 && codec != 6) {
            throw new Corrupt("compression " + name(codec) + " is not supported; Lethe reads UNCOMPRESSED, SNAPPY, "
                    + "GZIP and ZSTD (rewrite the file with one of them, e.g. pyarrow's default SNAPPY)");
        }
    }

    /**
     * {@code in[from, to)} decompressed with {@code codec} to exactly {@code size} bytes.
     *
     * @throws Corrupt when the data is malformed, expands to another size, or declares more than the codec can
     *     expand its bytes to
     */
    static byte[] decompress(int codec, byte[] in, int from, int to, int size) {
        requireSupported(codec);
        long compressed = to - from;
        if (size < 0 || size > MAX_PAGE_BYTES) {
            throw new Corrupt("a page of " + size + " bytes uncompressed (at most " + MAX_PAGE_BYTES + " are read)");
        }
        switch (codec) {
            case 0:
                if (compressed != size) {
                    throw new Corrupt("an uncompressed page of " + compressed + " bytes declares " + size);
                }
                return java.util.Arrays.copyOfRange(in, from, to);
            case 1:
                if (size > compressed * Snappy.MAX_RATIO + 16) {
                    throw new Corrupt("a Snappy page of " + compressed + " bytes declares " + size + " uncompressed, "
                            + "more than Snappy can expand it to");
                }
                return Snappy.decompress(in, from, to, size);
            case 2:
                if (size > compressed * DEFLATE_RATIO + 1024) {
                    throw new Corrupt("a GZIP page of " + compressed + " bytes declares " + size + " uncompressed, "
                            + "more than deflate can expand it to");
                }
                try (InputStream s = new GZIPInputStream(new ByteArrayInputStream(in, from, (int) compressed))) {
                    return exactly(s, size, "GZIP");
                } catch (IOException e) {
                    throw new Corrupt("a GZIP page is corrupt: " + e.getMessage());
                }
            default:
                return Zstd.decompress(in, from, to, size);
        }
    }

    /** All of {@code s}, required to be {@code size} bytes. */
    static byte[] exactly(InputStream s, int size, String codec) throws IOException {
        byte[] out = new byte[size];
        int n = s.readNBytes(out, 0, size);
        if (n != size || s.read() != -1) {
            throw new Corrupt("a " + codec + " page expands to " + (n != size ? n : "more than " + size)
                    + " bytes, not the " + size + " its header declares");
        }
        return out;
    }
}
