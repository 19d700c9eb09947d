package dev.lethe.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;
import dev.lethe.attack.Attacks;
import dev.lethe.attack.ModelAttack;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * GUARD-IT's gate and rotation (arXiv 2605.12765, §3) inside real forward passes of a tiny GPT-2: every expectation is
 * computed independently, in double precision on the host, from the unsteered pass's hidden states.
 */
class GatedSteeringTest {
    private static final int WIDTH = 16;
    private static final long[] FORGET = {1, 7, 8, 9, 10, 11};
    private static final long[] FAR = {1, 30, 31, 32, 33, 34, 35};

    private NDManager manager;
    private CausalLm model;

    @BeforeEach
    void setUp() {
        manager = NDManager.newBaseManager(Device.cpu());
        model = CausalLm.initialize(new GptConfig(50, 2, WIDTH, 2, 32, 0f), 3, Device.cpu());
    }

    @AfterEach
    void tearDown() {
        model.close();
        manager.close();
    }

    @Test
    void rotationOfAHandComputedState() {
        // h = (3, 4), v = (1, 0), c = 1: h' = (2, 4), ‖h‖ = 5, ‖h'‖ = √20, h'' = (2, 4)·5/√20
        NDArray out = GatedSteering.rotate(manager.create(new float[] {3, 4}), manager.create(new float[] {1, 0}), 1);
        double s = 5 / Math.sqrt(20);
        assertArrayEquals(new float[] {(float) (2 * s), (float) (4 * s)}, out.toFloatArray(), 1e-6f);
    }

    @Test
    void rotationKeepsEveryTokensNorm() {
        SplittableRandom random = new SplittableRandom(1);
        float[] h = new float[2 * 4 * 8];
        float[] v = new float[h.length];
        for (int i = 0; i < h.length; i++) {
            h[i] = (float) random.nextGaussian();
            v[i] = (float) (3 * random.nextGaussian());
        }
        double c = -0.7;
        float[] out = GatedSteering.rotate(manager.create(h, new Shape(2, 4, 8)), manager.create(v, new Shape(2, 4, 8)),
                c).toFloatArray();
        for (int token = 0; token < 8; token++) {
            double before = 0;
            double after = 0;
            double moved = 0;
            for (int j = 0; j < 8; j++) {
                int i = token * 8 + j;
                before += (double) h[i] * h[i];
                after += (double) out[i] * out[i];
                double m = h[i] - c * v[i];
                moved += m * m;
            }
            assertEquals(Math.sqrt(before), Math.sqrt(after), 1e-5 * Math.sqrt(before), "token " + token);
            for (int j = 0; j < 8; j++) {
                int i = token * 8 + j;
                assertEquals((h[i] - c * v[i]) * Math.sqrt(before / moved), out[i], 1e-5, "token " + token);
            }
        }
    }

    @Test
    void gateIsOffFarFromEveryCentroidAndOnForTheForgetPrompt() {
        Setup s = setup();
        model.setSteering(s.bank);
        float[] steeredFar = logits(FAR);
        float[] steeredForget = logits(FORGET);
        model.setSteering(null);
        assertArrayEquals(logits(FAR), steeredFar, "far from every centroid: bit-identical logits");
        assertFalse(java.util.Arrays.equals(logits(FORGET), steeredForget), "the forget prompt is steered");
    }

    @Test
    void steeredStateIsTheRotationAtGatedPositionsAndUntouchedElsewhere() {
        Setup s = setup();
        double[][] h = hidden(FORGET);
        double[][] running = running(h);
        model.setSteering(s.bank);
        double[][] steered = hidden(FORGET);
        int gated = 0;
        for (int t = 0; t < h.length; t++) {
            boolean on = t > 0 && cosine(minus(running[t], s.center), s.centroid) > s.threshold;
            for (int j = 0; j < WIDTH; j++) {
                double expected = h[t][j];
                if (on) {
                    double[] moved = new double[WIDTH];
                    for (int i = 0; i < WIDTH; i++) {
                        moved[i] = h[t][i] - s.bank.strength() * s.vector[i];
                    }
                    expected = moved[j] * norm(h[t]) / norm(moved);
                }
                assertEquals(expected, steered[t][j], on ? 1e-4 : 0.0, "position " + t);
            }
            gated += on ? 1 : 0;
        }
        assertTrue(gated >= 1, "the last position, the centroid itself, is gated");
    }

    /**
     * The hook's per-pass arrays live where the pass's other intermediates live: a steered generation (cached passes)
     * and a steered scoring pass in a scope leave no array in the model's manager, and a longer generation holds no
     * more than a shorter one.
     */
    @Test
    void steeredPassesLeaveNoArrayBehind() {
        Setup s = setup();
        model.setSteering(s.bank);
        int before = model.manager().getManagedArrays().size();
        List<int[]> prompts = List.of(ints(FORGET), ints(FAR));
        new Generator(model).generate(prompts, Generation.greedy(5));
        int afterShort = model.manager().getManagedArrays().size();
        new Generator(model).generate(prompts, Generation.greedy(20));
        try (NDScope scope = new NDScope(); NDManager m = manager.newSubManager()) {
            model.forward(m.create(FORGET, new Shape(1, FORGET.length)), false, false);
        }
        assertEquals(before, afterShort);
        assertEquals(before, model.manager().getManagedArrays().size());
    }

    @Test
    void cachedAndRecomputedGenerationAgreeWithSteeringAndFarPromptsAreUnchanged() {
        Setup s = setup();
        List<int[]> prompts = List.of(ints(FORGET), ints(FAR), ints(new long[] {1, 9}));
        Generation cached = Generation.greedy(6);
        Generation recomputed = new Generation(cached.maxNewTokens(), cached.eosIds(), cached.stopStrings(),
                cached.sample(), cached.temperature(), cached.topK(), cached.topP(), cached.seed(), false);
        List<int[]> plain = new Generator(model).generate(prompts, cached);
        model.setSteering(s.bank);
        List<int[]> withCache = new Generator(model).generate(prompts, cached);
        List<int[]> withoutCache = new Generator(model).generate(prompts, recomputed);
        for (int r = 0; r < prompts.size(); r++) {
            assertArrayEquals(withoutCache.get(r), withCache.get(r), "prompt " + r + ": left-padded cached pass");
        }
        assertArrayEquals(plain.get(1), withCache.get(1), "the far prompt generates as without steering");
    }

    @Test
    void copiesQuantizedCopiesAndSavedFilesKeepTheBank(@TempDir Path dir) {
        Setup s = setup();
        model.setSteering(s.bank);
        try (CausalLm copy = model.copy(); CausalLm frozen = model.frozenCopy()) {
            assertSame(s.bank, copy.steering());
            assertSame(s.bank, frozen.steering());
            ((ModelAttack) Attacks.quantize(4)).attackWeights(copy, null);
            assertSame(s.bank, copy.steering(), "int4: the quantized weights plus the same steering");
        }
        Path file = dir.resolve("m.safetensors");
        model.save(file);
        try (CausalLm loaded = CausalLm.load(file, model.spec(), Device.cpu())) {
            assertNotNull(loaded.steering());
            assertEquals(s.bank, loaded.steering());
            assertEquals(s.bank.contentHash(), loaded.steering().contentHash());
            float[] expected = logits(FORGET);
            try (NDScope scope = new NDScope()) {
                assertArrayEquals(expected, loaded.forward(manager.create(FORGET, new Shape(1, FORGET.length)))
                        .logits().toFloatArray());
            }
        }
        assertThrows(IllegalArgumentException.class, () -> HfFolder.save(dir.resolve("hf"), model, null));
    }

    @Test
    void aFloat16CopyIsSteeredInFloat32AndCastBack() {
        Setup s = setup();
        model.setSteering(s.bank);
        float[] full = logits(FORGET);
        try (CausalLm half = model.castCopy(Precision.FLOAT16); NDScope scope = new NDScope()) {
            assertSame(s.bank, half.steering());
            float[] halfLogits = half.forward(manager.create(FORGET, new Shape(1, FORGET.length))).logits()
                    .toFloatArray();
            for (int i = 0; i < full.length; i++) {
                assertEquals(full[i], halfLogits[i], 0.05, "logit " + i);
            }
        }
    }

    @Test
    void aBankOfAnotherWidthOrDepthIsRefused() {
        assertThrows(IllegalArgumentException.class,
                () -> model.setSteering(GatedSteering.empty(1, 0.5, -0.3, WIDTH + 1)));
        assertThrows(IllegalArgumentException.class,
                () -> model.setSteering(GatedSteering.empty(3, 0.5, -0.3, WIDTH)));
    }

    /**
     * A bank of one entry whose centre is the mean of the far prompt's running embeddings and whose centroid points
     * from there to the forget prompt's last running embedding; the threshold halfway between the far prompt's
     * largest cosine and 1 (the forget prompt's last position).
     */
    private Setup setup() {
        double[][] far = running(hidden(FAR));
        double[][] forget = running(hidden(FORGET));
        double[] center = new double[WIDTH];
        for (int t = 1; t < far.length; t++) {
            for (int j = 0; j < WIDTH; j++) {
                center[j] += far[t][j] / (far.length - 1);
            }
        }
        double[] centroid = minus(forget[forget.length - 1], center);
        double farMax = -1;
        for (int t = 1; t < far.length; t++) {
            farMax = Math.max(farMax, cosine(minus(far[t], center), centroid));
        }
        assertTrue(farMax < 0.98, "the construction separates the prompts: " + farMax);
        double threshold = (farMax + 1) / 2;
        double[] vector = new double[WIDTH];
        SplittableRandom random = new SplittableRandom(5);
        for (int j = 0; j < WIDTH; j++) {
            vector[j] = 2 * random.nextGaussian();
        }
        GatedSteering bank = new GatedSteering(1, threshold, -2.0, WIDTH,
                List.of(new GatedSteering.Entry(0, floats(center), floats(centroid), floats(vector))));
        return new Setup(bank, doubles(floats(center)), doubles(floats(centroid)), doubles(floats(vector)),
                threshold);
    }

    private record Setup(GatedSteering bank, double[] center, double[] centroid, double[] vector, double threshold) {}

    private float[] logits(long[] tokens) {
        try (NDScope scope = new NDScope()) {
            return model.forward(manager.create(tokens, new Shape(1, tokens.length))).logits().toFloatArray();
        }
    }

    /** The output of block 1 (1-based), as the pass continued with it, (time, width). */
    private double[][] hidden(long[] tokens) {
        try (NDScope scope = new NDScope()) {
            float[] flat = model.forward(manager.create(tokens, new Shape(1, tokens.length)), false, true).hiddenStates()
                    .get(1).toFloatArray();
            double[][] out = new double[tokens.length][WIDTH];
            for (int t = 0; t < tokens.length; t++) {
                for (int j = 0; j < WIDTH; j++) {
                    out[t][j] = flat[t * WIDTH + j];
                }
            }
            return out;
        }
    }

    /** The running means over positions 1..t (row 0 unused). */
    private static double[][] running(double[][] h) {
        double[][] out = new double[h.length][WIDTH];
        double[] sum = new double[WIDTH];
        for (int t = 1; t < h.length; t++) {
            for (int j = 0; j < WIDTH; j++) {
                sum[j] += h[t][j];
                out[t][j] = sum[j] / t;
            }
        }
        return out;
    }

    private static double[] minus(double[] a, double[] b) {
        double[] out = new double[a.length];
        for (int j = 0; j < a.length; j++) {
            out[j] = a[j] - b[j];
        }
        return out;
    }

    private static double norm(double[] a) {
        double s = 0;
        for (double x : a) {
            s += x * x;
        }
        return Math.sqrt(s);
    }

    private static double cosine(double[] a, double[] b) {
        double d = 0;
        for (int j = 0; j < a.length; j++) {
            d += a[j] * b[j];
        }
        return d / (norm(a) * norm(b));
    }

    private static float[] floats(double[] a) {
        float[] out = new float[a.length];
        for (int j = 0; j < a.length; j++) {
            out[j] = (float) a[j];
        }
        return out;
    }

    private static double[] doubles(float[] a) {
        double[] out = new double[a.length];
        for (int j = 0; j < a.length; j++) {
            out[j] = a[j];
        }
        return out;
    }

    private static int[] ints(long[] a) {
        int[] out = new int[a.length];
        for (int j = 0; j < a.length; j++) {
            out[j] = (int) a[j];
        }
        return out;
    }
}
