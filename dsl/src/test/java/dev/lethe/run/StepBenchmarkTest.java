package dev.lethe.run;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import dev.lethe.model.CausalLm;
import dev.lethe.model.GptConfig;
import dev.lethe.model.LlamaConfig;
import dev.lethe.model.Precision;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
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

    /**
     * The pretrained-family steps on a tiny Llama shape with the NLL loss: tokens/s counts one batch for the
     * loss steps and the batch's generated tokens for generation; the LoRA step trains adapters only, so the
     * base weights come back unchanged and trainable again.
     */
    @Test
    void measuresTheLlamaStepsAndLoraLeavesTheBaseWeights() {
        LlamaConfig llama = LlamaConfig.llama(48, 16, 24, 2, 4, 2).withTiedHead(true).withMaxPositions(64);
        StepBenchmark.Spec spec = new StepBenchmark.Spec(llama, 2, 8, 1, 3).withLoss(StepBenchmark.Loss.NLL)
                .withNewTokens(5);
        try (CausalLm model = CausalLm.initialize(llama, 1, Device.cpu())) {
            Map<String, float[]> before = new LinkedHashMap<>();
            model.weights().forEach((name, w) -> before.put(name, w.toFloatArray()));
            List<StepBenchmark.Figure> figures = StepBenchmark.run(spec, model, List.of("loss", "lora", "generate_b3"),
                    null);
            assertEquals(List.of("loss", "lora", "generate_b3"), figures.stream().map(StepBenchmark.Figure::step)
                    .toList());
            assertEquals(16 / (figures.get(0).medianMs() / 1000), figures.get(0).tokensPerSecond(), 1e-6);
            assertEquals(16 / (figures.get(1).medianMs() / 1000), figures.get(1).tokensPerSecond(), 1e-6);
            assertEquals(3 * 5 / (figures.get(2).medianMs() / 1000), figures.get(2).tokensPerSecond(), 1e-6);
            figures.forEach(f -> assertTrue(Double.isNaN(f.peakNativeMib()) || f.peakNativeMib() > 0, f.toString()));
            model.weights().forEach((name, w) -> assertArrayEquals(before.get(name), w.toFloatArray(),
                    name + " unchanged by the lora step"));
            for (NDArray w : model.weights().asMap().values()) {
                assertTrue(w.hasGradient(), w.getName() + " is trainable again after the lora step");
            }
        }
    }

    @Test
    void aGenerationStepNamesItsBatch() {
        assertEquals(8, StepBenchmark.generationBatch("generate_b8"));
        for (String bad : List.of("generate_b0", "generate_bx", "generate_b", "generate")) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> StepBenchmark.generationBatch(bad));
            assertTrue(e.getMessage().contains("'" + bad + "'") && e.getMessage().contains("generate_b<N>"),
                    e.getMessage());
        }
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
