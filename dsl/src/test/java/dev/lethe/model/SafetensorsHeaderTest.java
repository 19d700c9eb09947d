package dev.lethe.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import ai.djl.ndarray.NDManager;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 13's weak spots in model files: overlapping byte ranges in a safetensors header, and a FIFO where a
 * checkpoint or tokenizer file should be.
 */
class SafetensorsHeaderTest {

    /** Two F32 tensors of two values each over 16 data bytes, with the given byte ranges. */
    private static byte[] file(long aBegin, long aEnd, long bBegin, long bEnd) throws Exception {
        String header = "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[" + aBegin + "," + aEnd + "]},"
                + "\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[" + bBegin + "," + bEnd + "]}}";
        byte[] h = header.getBytes(StandardCharsets.UTF_8);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(h.length).array());
        out.write(h);
        ByteBuffer data = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN);
        for (float v : new float[] {1, 2, 3, 4}) {
            data.putFloat(v);
        }
        out.write(data.array());
        return out.toByteArray();
    }

    @Test
    void overlappingDataOffsetsAreRefusedNamingBothRanges(@TempDir Path tmp) throws Exception {
        Path ok = Files.write(tmp.resolve("ok.safetensors"), file(0, 8, 8, 16));
        try (NDManager m = NDManager.newBaseManager()) {
            assertEquals(4f, Safetensors.read(ok, m).get("b").getFloat(1));
            Path overlap = Files.write(tmp.resolve("overlap.safetensors"), file(0, 8, 4, 12));
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Safetensors.read(overlap, m));
            assertTrue(e.getMessage().contains("overlap.safetensors") && e.getMessage().contains("tensor 'b' byte range "
                    + "[4, 12) overlaps another tensor's [0, 8)"), e.getMessage());
            Path same = Files.write(tmp.resolve("same.safetensors"), file(8, 16, 8, 16));
            assertTrue(assertThrows(IllegalArgumentException.class, () -> Safetensors.read(same, m)).getMessage()
                    .contains("overlaps"));
        }
    }

    @Test
    void aFifoIsRefusedWithoutHanging(@TempDir Path tmp) throws Exception {
        Path fifo = tmp.resolve("model.safetensors");
        assumeTrue(new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor() == 0, "mkfifo is needed");
        assertTimeoutPreemptively(Duration.ofSeconds(30), () -> {
            try (NDManager m = NDManager.newBaseManager()) {
                IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Safetensors.read(fifo, m));
                assertTrue(e.getMessage().contains("not an ordinary file"), e.getMessage());
            }
            for (org.junit.jupiter.api.function.Executable tokenizer : java.util.List.<org.junit.jupiter.api.function.Executable>of(
                    () -> WordTokenizer.load(fifo), () -> HfTokenizer.load(fifo, 0, 0, 0))) {
                assertTrue(assertThrows(IllegalArgumentException.class, tokenizer).getMessage()
                        .contains("not an ordinary file"));
            }
        });
    }
}
