package dev.lethe.optim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

/** Re-warm + re-decay and the refined schedule of Defazio et al. 2023, by hand. */
class ScheduleRefinementTest {

    @Test
    void refinedScheduleOnFourSteps() {
        // ‖g‖ = (1, 2, 1, 0.5) → w = (1, 0.25, 1, 4); tails Σ_{s>t} w_s = (5.25, 5, 4, 0);
        // η ∝ (5.25, 1.25, 4, 0), peak 5.25, times η = 2
        Schedule s = Schedules.refined(2.0, new double[] {1, 2, 1, 0.5});
        assertEquals(2.0, s.at(0, 4), 1e-12);
        assertEquals(2.0 * 1.25 / 5.25, s.at(1, 4), 1e-12);
        assertEquals(2.0 * 4 / 5.25, s.at(2, 4), 1e-12);
        assertEquals(0.0, s.at(3, 4), 1e-12);
        // a stage twice as long reads each rate twice
        assertEquals(2.0 * 1.25 / 5.25, s.at(3, 8), 1e-12);
        assertEquals(2.0 * 4 / 5.25, s.at(4, 8), 1e-12);
    }

    @Test
    void refinedScheduleSmoothsWithARunningMedian() {
        // width 3, truncated at the ends: medians (1.5, 1, 1, 0.75) → w = (1/2.25, 1, 1, 1/0.5625);
        // tails = (2 + 1/0.5625, 1 + 1/0.5625, 1/0.5625, 0); η ∝ (tail₀/2.25, tail₁, tail₂, 0), peak tail₁
        Schedule s = Schedules.refined(1.0, new double[] {1, 2, 1, 0.5}, 3);
        double w3 = 1 / 0.5625;
        double peak = 1 + w3;
        assertEquals((2 + w3) / 2.25 / peak, s.at(0, 4), 1e-12);
        assertEquals(1.0, s.at(1, 4), 1e-12);
        assertEquals(w3 / peak, s.at(2, 4), 1e-12);
        assertEquals(0.0, s.at(3, 4), 1e-12);
        assertThrows(IllegalArgumentException.class, () -> Schedules.refined(1.0, new double[] {1, 0}));
    }

    @Test
    void rewarmRestartsWarmupAndCosineInEachCycle() {
        // T = 10, 2 cycles of 5 steps, warm-up 2: 0.5, 1, then cosine over 3 steps: 1, 0.75, 0.25
        Schedule s = Schedules.rewarm(1.0, 2, 2);
        double[] expected = {0.5, 1, 1, 0.75, 0.25, 0.5, 1, 1, 0.75, 0.25};
        for (int t = 0; t < 10; t++) {
            assertEquals(expected[t], s.at(t, 10), 1e-12, "step " + t);
        }
        Schedule floor = Schedules.rewarm(1.0, 0.1, 2, 2);
        assertEquals(0.1 + 0.9 * 0.75, floor.at(8, 10), 1e-12);
        // 3 cycles of ⌈10/3⌉ = 4 steps (warm-up 1, then cosine over 3), the last phase has only 2 steps
        Schedule three = Schedules.rewarm(1.0, 1, 3);
        assertEquals(1.0, three.at(4, 10), 1e-12);
        assertEquals(1.0, three.at(5, 10), 1e-12);
        assertEquals(0.5 * (1 + Math.cos(Math.PI / 3)), three.at(6, 10), 1e-12);
        assertEquals(0.5 * (1 + Math.cos(2 * Math.PI / 3)), three.at(7, 10), 1e-12);
        assertEquals(1.0, three.at(8, 10), 1e-12);
        assertEquals(1.0, three.at(9, 10), 1e-12);
    }
}
