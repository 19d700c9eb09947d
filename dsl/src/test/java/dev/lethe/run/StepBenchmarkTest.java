package dev.lethe.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lethe.model.GptConfig;
import dev.lethe.model.Precision;
import java.util.List;
import org.junit.jupiter.api.Test;

class StepBenchmarkTest {
    private static final StepBenchmark.Spec TINY = new StepBenchmark.Spec(new GptConfig(40, 1, 16, 2, 16, 0f), 2, 8,
            1, 3);

    @Test
    void measuresEveryStepTypeInOrder() {
        List<StepBenchmark.Figure> figures = StepBenchmark.run(TINY, StepBenchmark.STEP_TYPES);
        assertEquals(StepBenchmark.STEP_TYPES, figures.stream().map(StepBenchmark.Figure::step).toList());
        for (StepBenchmark.Figure f : figures) {
            assertTrue(f.medianMs() > 0 && Double.isFinite(f.tokensPerSecond()), f.toString());
            assertTrue(Double.isNaN(f.peakMib()) || f.peakMib() >= 0, f.toString());
        }
        // tokens/s follows from the median and the tokens of one step: 2 splits x 2 sequences x 8 tokens
        StepBenchmark.Figure fo = figures.get(2);
        assertEquals(32 / (fo.medianMs() / 1000), fo.tokensPerSecond(), 1e-6);
    }

    /** Float16 mixed precision measures the same step types (slowly on a CPU: this is a 1-layer width-16 model). */
    @Test
    void measuresFloat16MixedPrecisionToo() {
        StepBenchmark.Spec half = new StepBenchmark.Spec(TINY.config(), 2, 8, 1, 3, Precision.FLOAT16);
        List<StepBenchmark.Figure> figures = StepBenchmark.run(half, List.of("forward", "first_order", "zeroth_order"));
        assertEquals(List.of("forward", "first_order", "zeroth_order"),
                figures.stream().map(StepBenchmark.Figure::step).toList());
        figures.forEach(f -> assertTrue(f.medianMs() > 0 && Double.isFinite(f.tokensPerSecond()), f.toString()));
    }

    /** The device comes from the spec ({@code auto}: the CPU on a machine without a GPU, which is how CI runs). */
    @Test
    void measuresOnTheSpecsDevice() {
        StepBenchmark.Spec auto = new StepBenchmark.Spec(TINY.config(), 2, 8, 1, 3, Precision.FLOAT32,
                Runner.device("auto"));
        StepBenchmark.Figure forward = StepBenchmark.run(auto, List.of("forward")).get(0);
        assertTrue(forward.medianMs() > 0, forward.toString());
    }

    @Test
    void anUnknownStepTypeIsNamed() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> StepBenchmark.run(TINY, List.of("third_order")));
        assertTrue(e.getMessage().contains("third_order"), e.getMessage());
    }

    /** Issue 13, reproduction 9: zero timed steps (no median) or an empty batch are refused before any array exists. */
    @Test
    void refusesSizesThatMeasureNothing() {
        dev.lethe.model.ModelSpec c = TINY.config();
        assertThrows(IllegalArgumentException.class, () -> new StepBenchmark.Spec(c, 2, 8, 1, 0));
        assertThrows(IllegalArgumentException.class, () -> new StepBenchmark.Spec(c, 2, 8, 1, -1));
        assertThrows(IllegalArgumentException.class, () -> new StepBenchmark.Spec(c, 0, 8, 1, 3));
        assertThrows(IllegalArgumentException.class, () -> new StepBenchmark.Spec(c, 2, 8, -1, 3));
        assertThrows(IllegalArgumentException.class, () -> new StepBenchmark.Spec(c, 2, 2, 1, 3));
    }
}
