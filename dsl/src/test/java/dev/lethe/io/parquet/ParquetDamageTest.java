package dev.lethe.io.parquet;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Damaged and hostile files: each is refused with an {@link IllegalArgumentException} naming the file (never
 * another exception, a hang, or an allocation the file's bytes do not back), and the decoders on hand-worked bytes.
 */
class ParquetDamageTest {
    private static final Path GOOD = ParquetTest.fixture("reader/types-v1-snappy.parquet");

    private static IllegalArgumentException refused(Path dir, byte[] bytes) throws IOException {
        Path f = Files.write(dir.resolve("damaged.parquet"), bytes);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Parquet.read(f, ParquetTest.TYPES_COLUMNS));
        assertTrue(e.getMessage().startsWith(f.toString() + ":"), e.getMessage());
        return e;
    }

    @Test
    void aTruncatedFileAFileWithoutMagicAndATinyFileAreRefused(@TempDir Path dir) throws IOException {
        byte[] good = Files.readAllBytes(GOOD);
        assertTrue(refused(dir, Arrays.copyOf(good, good.length / 2)).getMessage()
                .contains("does not end with PAR1: truncated"));
        byte[] magic = good.clone();
        magic[3] = '2';
        assertTrue(refused(dir, magic).getMessage().contains("not a Parquet file: it does not start with PAR1"));
        assertTrue(refused(dir, "PAR1PAR1".getBytes(StandardCharsets.US_ASCII)).getMessage()
                .contains("only 8 bytes, too short for Parquet"));
        assertTrue(refused(dir, new byte[0]).getMessage().contains("only 0 bytes"));
    }

    @Test
    void aHugeFooterLengthIsRefusedBeforeAnythingIsAllocated(@TempDir Path dir) throws IOException {
        byte[] bytes = Files.readAllBytes(GOOD);
        ByteBuffer.wrap(bytes, bytes.length - 8, 4).order(ByteOrder.LITTLE_ENDIAN).putInt(-1);
        assertTrue(refused(dir, bytes).getMessage().contains("a footer of 4294967295 bytes in a file of "
                + bytes.length + " (truncated?)"));
    }

    @Test
    void aFileOfMoreRowsThanLetheReadsIsRefusedBeforeTheRowsAreMade() {
        // 1 048 577 null values in 2 282 bytes (pyarrow): a row count the bytes do not bound
        Path file = ParquetTest.fixture("reader/too-many-rows.parquet");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Parquet.read(file,
                List.of("n")));
        assertTrue(e.getMessage().endsWith("too-many-rows.parquet: declares 1048577 rows; Lethe reads files of at "
                + "most 1048576 rows"), e.getMessage());
    }

    @Test
    void dataCutFromTheMiddleIsRefusedNotMisread(@TempDir Path dir) throws IOException {
        byte[] good = Files.readAllBytes(GOOD);
        byte[] cut = new byte[good.length - 40];
        System.arraycopy(good, 0, cut, 0, 100);
        System.arraycopy(good, 140, cut, 100, good.length - 140);
        refused(dir, cut);
    }

    @Test
    void aChangeToAnyByteAndATruncationAnywhereAreReadOrRefusedCleanly() throws IOException {
        for (String name : List.of("pyarrow-default", "dictionary", "types-v2-snappy", "parquetjs-v2-gzip",
                "pyarrow-v2-zstd", "pyarrow-delta-uncompressed", "parquet-java-2level")) {
            byte[] good = Files.readAllBytes(ParquetTest.fixture("reader/" + name + ".parquet"));
            Path f = Path.of(name + ".parquet");
            assertTimeoutPreemptively(Duration.ofSeconds(60), () -> {
                for (int i = 0; i < good.length; i++) {
                    // one change per byte: all its bits every third byte, else one bit, cycling through the eight
                    int flip = i % 3 == 0 ? 0xFF : 1 << (i % 8);
                    byte[] bad = good.clone();
                    bad[i] ^= (byte) flip;
                    readOrRefused(f, bad, name + " byte " + i + " ^ " + flip);
                    if (i % 4 == 0) {
                        readOrRefused(f, Arrays.copyOf(good, i), name + " cut at " + i);
                    }
                }
            });
        }
    }

    private static void readOrRefused(Path f, byte[] bytes, String what) throws IOException {
        try {
            Parquet.read(new BytesChannel(bytes), f, List.of("s", "i", "l", "b", "d", "f", "opt", "list", "n",
                    "name", "count", "score", "tags"));
        } catch (IllegalArgumentException e) {
            assertTrue(e.getMessage().startsWith(f.toString()), what + ": " + e.getMessage());
        } catch (RuntimeException | Error e) {
            throw new AssertionError(what + ": " + e, e);
        }
    }

    @Test
    void thriftLengthsBeyondTheBytesLeftAreRefused() {
        // struct { 1: binary of declared length 2^31 - 1 } in 7 bytes
        byte[] binary = {0x18, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, 0x07, 0x00};
        Corrupt e = assertThrows(Corrupt.class, () -> new Thrift(binary, 0, binary.length).struct());
        assertTrue(e.getMessage().contains("a Thrift length of 2147483647 with only"), e.getMessage());
        // struct { 1: list<i32> of declared size 2^21 } in 7 bytes
        byte[] list = {0x19, (byte) 0xF5, (byte) 0x80, (byte) 0x80, (byte) 0x80, 0x01, 0x00};
        assertThrows(Corrupt.class, () -> new Thrift(list, 0, list.length).struct());
        // 40 nested structs
        byte[] deep = new byte[80];
        Arrays.fill(deep, (byte) 0x1C);
        e = assertThrows(Corrupt.class, () -> new Thrift(deep, 0, deep.length).struct());
        assertTrue(e.getMessage().contains("nested deeper than 32"), e.getMessage());
    }

    @Test
    void thriftCompactFieldsDecodeAsTheSpecWritesThem() {
        // field 1 i32 zigzag(-3) = 5; field 3 (delta 2) binary "hi"; field 4 bool true; field 20 (long form) i64 300
        byte[] bytes = {0x15, 0x05, 0x28, 0x02, 'h', 'i', 0x11, 0x06, 0x28, (byte) 0xD8, 0x04, 0x00};
        Thrift.Struct s = new Thrift(bytes, 0, bytes.length).struct();
        assertEquals(-3L, s.i64(1, "one"));
        assertEquals("hi", s.string(3, "three"));
        assertTrue(s.bool(4, false));
        assertEquals(300L, s.i64(20, "twenty"));
    }

    @Test
    void snappyLiteralsAndOverlappingCopiesExpandAsTheFormatSays() {
        // length 12; literal "abcd" (tag (4-1)<<2); copy of 8 bytes at offset 4 (tag (8-4)<<2 | 1, offset byte 4)
        byte[] block = {12, 0x0C, 'a', 'b', 'c', 'd', 0x11, 0x04};
        assertArrayEquals("abcdabcdabcd".getBytes(StandardCharsets.US_ASCII), Snappy.decompress(block, 0, 8, 12));
        Corrupt e = assertThrows(Corrupt.class, () -> Snappy.decompress(block, 0, 8, 13));
        assertTrue(e.getMessage().contains("holds 12 bytes, the page header says 13"), e.getMessage());
        byte[] far = {12, 0x0C, 'a', 'b', 'c', 'd', 0x11, 0x05};
        assertThrows(Corrupt.class, () -> Snappy.decompress(far, 0, 8, 12));
        // a page declaring far more than its bytes can expand to is refused before allocation
        e = assertThrows(Corrupt.class, () -> Codecs.decompress(1, block, 0, 8, 100_000_000));
        assertTrue(e.getMessage().contains("more than Snappy can expand it to"), e.getMessage());
    }

    @Test
    void hybridRunsDecodeAsEncodingsMdWritesThem() {
        // Encodings.md's bit-packing example: 0..7 at bit width 3, one group: header 0x03, then 0x88 0xC6 0xFA
        int[] out = new int[8];
        Hybrid.decode(new byte[] {0x03, (byte) 0x88, (byte) 0xC6, (byte) 0xFA}, 0, 4, 3, out, 0, 8);
        assertArrayEquals(new int[] {0, 1, 2, 3, 4, 5, 6, 7}, out);
        // an RLE run of 5 twos at width 2, then a run declaring 2^30 ones of which 3 are needed
        int[] rle = new int[8];
        byte[] runs = {0x0A, 0x02, (byte) 0x80, (byte) 0x80, (byte) 0x80, (byte) 0x80, 0x08, 0x01};
        Hybrid.decode(runs, 0, runs.length, 2, rle, 0, 8);
        assertArrayEquals(new int[] {2, 2, 2, 2, 2, 1, 1, 1}, rle);
        assertThrows(Corrupt.class, () -> Hybrid.decode(new byte[] {0x0A, 0x07}, 0, 2, 2, new int[5], 0, 5));
        assertThrows(Corrupt.class, () -> Hybrid.decode(new byte[] {0x0A, 0x01}, 0, 2, 2, new int[6], 0, 6));
    }

    @Test
    void deltaBinaryPackedDecodesEncodingsMdsExample() {
        // 1, 2, 3, 4, 5: block 128, 4 miniblocks, 5 values, first 1; min delta 1, bit widths 0
        byte[] bytes = {(byte) 0x80, 0x01, 0x04, 0x05, 0x02, 0x02, 0x00, 0x00, 0x00, 0x00};
        assertArrayEquals(new long[] {1, 2, 3, 4, 5}, Delta.binaryPacked(bytes, 0, bytes.length, 5).values());
        assertThrows(Corrupt.class, () -> Delta.binaryPacked(bytes, 0, bytes.length, 6));
    }
}
