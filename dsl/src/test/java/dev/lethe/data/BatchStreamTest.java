package dev.lethe.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A stream rebuilt and skipped ahead continues exactly where the original is (how a run resumes its data). */
class BatchStreamTest {
    private static List<Encoded> examples(int n) {
        List<Encoded> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(new Encoded(new int[] {i}, new int[] {i + 100}));
        }
        return out;
    }

    @Test
    void skippingEqualsDrawing() {
        for (int drawn : new int[] {0, 1, 3, 4, 9}) {
            BatchStream original = new BatchStream(examples(7), 3, 5);
            for (int i = 0; i < drawn; i++) {
                original.next();
            }
            BatchStream rebuilt = new BatchStream(examples(7), 3, 5);
            rebuilt.skip(original.draws());
            assertEquals(drawn, rebuilt.draws());
            assertArrayEquals(original.lastIndices(), rebuilt.lastIndices(), "after " + drawn);
            for (int i = 0; i < 6; i++) { // across two more epochs (3 batches of 3, 3, 1 each)
                int expected = original.next().get(0).prompt()[0];
                assertEquals(expected, rebuilt.next().get(0).prompt()[0], "batch " + i + " after " + drawn);
                assertArrayEquals(original.lastIndices(), rebuilt.lastIndices(), "batch " + i + " after " + drawn);
            }
        }
    }
}
