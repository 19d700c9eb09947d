package dev.lethe.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * ACU's analytic head on a causal language model (arXiv 2505.12239, method section): its logits replace the LM head's, the
 * membership check refuses what was never learned or whose features changed, and a saved model reads back with the
 * same head bit for bit.
 */
class AnalyticHeadTest {
    private static final GptConfig SPEC = new GptConfig(20, 2, 16, 2, 16, 0f);
    private static final int[] INPUT = {1, 7, 8, 9, 10};
    private static final int[] TARGETS = {9, 10, 2};

    private static AnalyticHead start() {
        return AnalyticHead.start(2, 16, 24, 5L, 0.1, 10.0);
    }

    @Test
    void theHeadsLogitsReplaceTheLmHeadsAndPredictWhatItLearned() {
        try (CausalLm model = CausalLm.initialize(SPEC, 3, Device.cpu())) {
            AnalyticHead head = start();
            AnalyticHead learned = head.learn(List.of(head.sample(model, INPUT, 2, TARGETS)));
            assertEquals(1, learned.members());
            assertArrayEquals(new int[] {9, 10, 2}, learned.ridge().tokens());
            try (CausalLm analytic = model.withHead(learned); NDScope scope = new NDScope()) {
                assertFalse(analytic.supportsKvCache());
                NDArray tokens = analytic.manager().create(new long[] {1, 7, 8, 9, 10}, new Shape(1, 5));
                NDArray logits = analytic.forward(tokens).logits();
                assertEquals(new Shape(1, 5, 20), logits.getShape());
                long[] argmax = logits.argMax(-1).toLongArray();
                // positions 2, 3, 4 predict 9, 10 and <eos> (2), as learned; a token never a target has logit 0
                assertEquals(List.of(9L, 10L, 2L), List.of(argmax[2], argmax[3], argmax[4]));
                float[] values = logits.toFloatArray();
                assertEquals(0f, values[2 * 20 + 5]);
                // the head reads the residual stream after block 2: x = ReLU(E·h/rms(h)), logits = τ·x·W, by hand
                float[] h = model.forward(tokens, false, true).hidden(2).toFloatArray();
                double[] x = new double[24];
                double squares = 0;
                for (int i = 0; i < 16; i++) {
                    squares += h[3 * 16 + i] * (double) h[3 * 16 + i];
                }
                double rms = Math.sqrt(squares / 16 + 1e-6);
                // E: N(0, 1/width) draws of SplittableRandom(seed), rounded to float32, row-major width × D
                java.util.SplittableRandom random = new java.util.SplittableRandom(5L);
                float[] e = new float[16 * 24];
                for (int i = 0; i < e.length; i++) {
                    e[i] = (float) (random.nextGaussian() / Math.sqrt(16));
                }
                for (int j = 0; j < 24; j++) {
                    double s = 0;
                    for (int i = 0; i < 16; i++) {
                        s += h[3 * 16 + i] / rms * e[i * 24 + j];
                    }
                    x[j] = Math.max(0, s);
                }
                double[] w = learned.ridge().w();
                double logit10 = 0;
                for (int j = 0; j < 24; j++) {
                    logit10 += 10 * x[j] * w[j * 3 + 1];
                }
                assertEquals(logit10, values[3 * 20 + 10], 1e-3 * Math.max(1, Math.abs(logit10)));
            }
        }
    }

    @Test
    void forgettingWhatWasNeverLearnedOrWhoseFeaturesChangedIsRefused() {
        try (CausalLm model = CausalLm.initialize(SPEC, 3, Device.cpu());
                CausalLm other = CausalLm.initialize(SPEC, 4, Device.cpu())) {
            AnalyticHead head = start();
            AnalyticHead.Sample learnedOne = head.sample(model, INPUT, 2, TARGETS);
            AnalyticHead learned = head.learn(List.of(learnedOne));
            AnalyticHead.Sample never = head.sample(model, new int[] {1, 7, 8, 11, 12}, 2, new int[] {11, 12, 2});
            IllegalArgumentException notMember = assertThrows(IllegalArgumentException.class,
                    () -> learned.forget(List.of(never), i -> "forget example " + i));
            assertEquals("forget example 0 was never learned by the analytic head (or was already forgotten): only "
                    + "learned examples can be forgotten", notMember.getMessage());
            // the same tokens under another backbone: features differ
            AnalyticHead.Sample changed = head.sample(other, INPUT, 2, TARGETS);
            IllegalArgumentException backbone = assertThrows(IllegalArgumentException.class,
                    () -> learned.forget(List.of(changed), i -> "forget example " + i));
            assertTrue(backbone.getMessage().contains("the backbone changed since it was learned"), backbone.getMessage());
            // forgetting it once is fine, twice is not
            AnalyticHead forgotten = learned.forget(List.of(learnedOne), i -> "forget example " + i);
            assertEquals(0, forgotten.members());
            assertThrows(IllegalArgumentException.class, () -> forgotten.forget(List.of(learnedOne), i -> "again"));
            // nothing was forgotten by a refused request
            assertEquals(1, learned.members());
        }
    }

    @Test
    void aSavedModelReadsBackWithTheSameHeadBitForBit(@TempDir Path dir) {
        try (CausalLm model = CausalLm.initialize(SPEC, 3, Device.cpu())) {
            AnalyticHead head = start();
            AnalyticHead learned = head.learn(List.of(head.sample(model, INPUT, 2, TARGETS),
                    head.sample(model, new int[] {1, 7, 8, 11, 12}, 2, new int[] {11, 12, 2})));
            Path file = dir.resolve("acu.safetensors");
            try (CausalLm analytic = model.withHead(learned)) {
                analytic.save(file);
                try (CausalLm back = CausalLm.load(file, SPEC, Device.cpu()); NDScope scope = new NDScope()) {
                    assertEquals(learned, back.head());
                    assertArrayEquals(learned.ridge().r(), back.head().ridge().r());
                    NDArray tokens = back.manager().create(new long[] {1, 7, 8, 9, 10}, new Shape(1, 5));
                    assertArrayEquals(analytic.forward(tokens).logits().toFloatArray(),
                            back.forward(tokens).logits().toFloatArray());
                    assertNotEquals(0f, back.forward(tokens).logits().toFloatArray()[3 * 20 + 10]);
                }
                IllegalArgumentException hf = assertThrows(IllegalArgumentException.class,
                        () -> HfFolder.save(dir.resolve("hf"), analytic, null));
                assertTrue(hf.getMessage().contains("analytic head"), hf.getMessage());
            }
            Path plain = dir.resolve("plain.safetensors");
            model.save(plain);
            try (CausalLm back = CausalLm.load(plain, SPEC, Device.cpu())) {
                assertNull(back.head());
                assertTrue(back.supportsKvCache());
            }
        }
    }
}
