package dev.lethe.io.parquet;

import io.airlift.compress.zstd.ZstdDecompressor;

/**
 * ZSTD pages, decompressed by aircompressor's Java implementation ({@code io.airlift:aircompressor}, Apache 2.0; no
 * native code). A frame that declares its content size must declare the page's.
 */
final class Zstd {
    private Zstd() {}

    /**
     * Decompresses the ZSTD frames in {@code in[from, to)} to exactly {@code size} bytes.
     *
     * @throws Corrupt when the frames are malformed or expand to another size
     */
    static byte[] decompress(byte[] in, int from, int to, int size) {
        try {
            long declared = ZstdDecompressor.getDecompressedSize(in, from, to - from);
            if (declared >= 0 && declared != size) {
                throw new Corrupt("a ZSTD frame of " + declared + " bytes where the page header says " + size);
            }
            byte[] out = new byte[size];
            int n = new ZstdDecompressor().decompress(in, from, to - from, out, 0, size);
            if (n != size) {
                throw new Corrupt("a ZSTD page expands to " + n + " bytes, not the " + size + " its header declares");
            }
            return out;
        } catch (Corrupt e) {
            throw e;
        } catch (RuntimeException e) {
            throw new Corrupt("a ZSTD page is corrupt: " + e.getMessage());
        }
    }
}
