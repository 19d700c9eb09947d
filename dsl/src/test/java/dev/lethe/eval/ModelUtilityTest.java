package dev.lethe.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.lethe.data.Split;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** TOFU's nine-part model utility on hand-worked toys. */
class ModelUtilityTest {

    @Test
    void harmonicMeanOfNineGivenNumbers() {
        // 1/0.5 · 3 + 1/0.25 · 3 + 1/1 · 3 = 6 + 12 + 3 = 21, so H = 9/21 = 3/7
        assertEquals(3.0 / 7, ModelUtility.of(0.5, 0.5, 0.5, 0.25, 0.25, 0.25, 1, 1, 1), 1e-15);
        assertEquals(0.8, ModelUtility.of(0.8, 0.8, 0.8, 0.8, 0.8, 0.8, 0.8, 0.8, 0.8), 1e-15);
        // 1/0.9 + 1/0.6 + 1/0.3 + 6 · 1/0.75 = 10/9 + 5/3 + 10/3 + 8 = 127/9, so H = 81/127
        assertEquals(81.0 / 127, ModelUtility.of(0.9, 0.6, 0.3, 0.75, 0.75, 0.75, 0.75, 0.75, 0.75), 1e-15);
    }

    @Test
    void oneZeroPartMakesTheUtilityZero() {
        assertEquals(0.0, ModelUtility.of(0.9, 0.9, 0.9, 0.9, 0, 0.9, 0.9, 0.9, 0.9), 0.0);
    }

    @Test
    void refusesAnythingButNinePartsInTheUnitInterval() {
        assertThrows(IllegalArgumentException.class, () -> ModelUtility.of(0.5, 0.5, 0.5, 0.5, 0.5, 0.5));
        assertThrows(IllegalArgumentException.class,
                () -> ModelUtility.of(0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 1.5));
        assertThrows(IllegalArgumentException.class,
                () -> ModelUtility.of(0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, Double.NaN));
    }

    @Test
    void readsTheNinePartsBySplitAndMetricAndSaysWhichAreMissing() {
        Map<String, Double> values = new HashMap<>();
        double[] given = {0.9, 0.6, 0.3, 0.75, 0.75, 0.75, 0.75, 0.75, 0.75};
        int k = 0;
        for (Split s : ModelUtility.SPLITS) {
            for (Metric m : ModelUtility.PARTS) {
                values.put(s.id() + "/" + m.name(), given[k++]);
            }
        }
        assertEquals(List.of(Split.RETAIN, Split.REAL_AUTHORS, Split.WORLD), ModelUtility.SPLITS);
        assertEquals("retain+real_authors+world", ModelUtility.SPAN);
        assertEquals(81.0 / 127, ModelUtility.of((s, m) -> values.get(s.id() + "/" + m)), 1e-15);
        assertEquals(List.of(), ModelUtility.missing((s, m) -> values.get(s.id() + "/" + m)));
        values.remove("retain/truth_ratio");
        values.keySet().removeIf(key -> key.startsWith("real_authors/"));
        assertNull(ModelUtility.of((s, m) -> values.get(s.id() + "/" + m)));
        assertEquals(List.of("retain truth_ratio", "real_authors"),
                ModelUtility.missing((s, m) -> values.get(s.id() + "/" + m)));
    }
}
