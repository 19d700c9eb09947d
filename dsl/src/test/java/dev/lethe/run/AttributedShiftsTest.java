package dev.lethe.run;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.lethe.data.Batch;
import dev.lethe.data.Encoded;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The attribute stage's shifts: placed at each row's answer positions, and kept in a file that reads back. */
class AttributedShiftsTest {
    private static final Encoded A = new Encoded(new int[] {5}, new int[] {7, 8});
    private static final Encoded B = new Encoded(new int[] {6, 6}, new int[] {9});

    private static AttributedShifts shifts() {
        // vocabulary 2; A has two answer positions, B one
        return new AttributedShifts(2, Map.of(AttributedShifts.key(A), new float[] {1, 2, 3, 4},
                AttributedShifts.key(B), new float[] {5, 6}));
    }

    @Test
    void eachRowsShiftsGoToItsAnswerPositionsInOrder() {
        try (NDManager m = NDManager.newBaseManager()) {
            // time 3: row A answers at positions 1 and 2, row B at position 2 (masks as a batch would have them)
            Batch batch = new Batch(m.zeros(new Shape(2, 3), DataType.INT64), m.zeros(new Shape(2, 3), DataType.INT64),
                    m.create(new float[] {0, 1, 1, 0, 0, 1}, new Shape(2, 3)));
            float[] out = shifts().of(batch, List.of(A, B), m).toFloatArray();
            assertArrayEquals(new float[] {0, 0, 1, 2, 3, 4, 0, 0, 0, 0, 5, 6}, out);
            Batch other = new Batch(batch.inputs(), batch.targets(), m.create(new float[] {1, 1, 1, 0, 0, 1},
                    new Shape(2, 3)));
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> shifts().of(other, List.of(A, B), m));
            assertTrue(e.getMessage().contains("more answer positions"), e.getMessage());
            Batch fewer = new Batch(batch.inputs(), batch.targets(), m.create(new float[] {0, 0, 1, 0, 0, 1},
                    new Shape(2, 3)));
            e = assertThrows(IllegalStateException.class, () -> shifts().of(fewer, List.of(A, B), m));
            assertTrue(e.getMessage().contains("has 1 answer positions, the attribute stage predicted 2"), e.getMessage());
            Encoded unknown = new Encoded(new int[] {1}, new int[] {2, 3});
            e = assertThrows(IllegalStateException.class, () -> shifts().of(batch, List.of(unknown, B), m));
            assertTrue(e.getMessage().contains("predicted no shift"), e.getMessage());
        }
    }

    @Test
    void aWrittenFileReadsBackAndACorruptOneReadsAsAbsent(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("k.shifts");
        shifts().write(file);
        AttributedShifts back = AttributedShifts.read(file).orElseThrow();
        assertEquals(2, back.vocabulary());
        assertArrayEquals(new float[] {1, 2, 3, 4}, back.shifts().get(AttributedShifts.key(A)));
        assertArrayEquals(new float[] {5, 6}, back.shifts().get(AttributedShifts.key(B)));
        byte[] bytes = Files.readAllBytes(file);
        Files.write(file, java.util.Arrays.copyOf(bytes, bytes.length - 3));
        assertTrue(AttributedShifts.read(file).isEmpty(), "truncated");
        assertTrue(AttributedShifts.read(dir.resolve("absent.shifts")).isEmpty());
    }
}
