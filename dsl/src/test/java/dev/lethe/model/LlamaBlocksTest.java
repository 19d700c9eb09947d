package dev.lethe.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The shared blocks of the Llama family against hand-computed values. */
class LlamaBlocksTest {

    @Test
    void rmsNormDividesByTheRootMeanSquareAndScalesByTheGain() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray x = m.create(new float[] {1, 2, 3, 4});
            NDArray gain = m.create(new float[] {1, 1, 2, 0.5f});
            // mean square (1 + 4 + 9 + 16) / 4 = 7.5; ε = 0.5 makes the root √8
            float r = (float) Math.sqrt(8);
            assertArrayEquals(new float[] {1 / r, 2 / r, 6 / r, 2 / r}, RmsNorm.apply(x, gain, 0.5).toFloatArray(),
                    1e-6f);
        }
    }

    @Test
    void aFloat16RmsNormOfEntriesWhoseSquaresOverflowFloat16StaysFinite() {
        try (NDManager m = NDManager.newBaseManager()) {
            // squares of 1000 and 3000 exceed float16's 65504; the float32 result is the reference
            float[] x = {1000, -3000, 500, 2000};
            NDArray gain = m.create(new float[] {1, 1, 2, 0.5f});
            float[] wide = RmsNorm.apply(m.create(x), gain, 1e-6).toFloatArray();
            NDArray narrow = RmsNorm.apply(m.create(x).toType(DataType.FLOAT16, false),
                    gain.toType(DataType.FLOAT16, false), 1e-6);
            assertArrayEquals(wide, narrow.toType(DataType.FLOAT32, false).toFloatArray(), 2e-3f);
        }
    }

    @Test
    void rotaryRotatesEachHalfPairByPositionTimesFrequency() {
        try (NDManager m = NDManager.newBaseManager()) {
            // head dim 4, base 10000: θ = (1, 1/100); position 0 is unchanged, position 1 rotates pair (x₀, x₂)
            // by 1 radian and pair (x₁, x₃) by 0.01
            Rotary rotary = new Rotary(4, 1, 10000, RopeScaling.none(), 128);
            assertArrayEquals(new float[] {1f, 0.01f}, rotary.inverseFrequencies(2), 1e-9f);
            NDArray x = m.create(new float[] {1, 2, 3, 4, 1, 2, 3, 4}, new Shape(2, 4));
            NDList table = rotary.table(m, 2, DataType.FLOAT32);
            float[] out = rotary.apply(x, table.get(0), table.get(1)).toFloatArray();
            double c1 = Math.cos(1);
            double s1 = Math.sin(1);
            double c2 = Math.cos(0.01);
            double s2 = Math.sin(0.01);
            float[] expected = {1, 2, 3, 4, (float) (c1 - 3 * s1), (float) (2 * c2 - 4 * s2), (float) (3 * c1 + s1),
                (float) (4 * c2 + 2 * s2)};
            assertArrayEquals(expected, out, 1e-6f);
        }
    }

    @Test
    void partialRotaryLeavesTheEntriesAfterTheRotatedOnesAlone() {
        try (NDManager m = NDManager.newBaseManager()) {
            Rotary rotary = new Rotary(8, 0.5, 10000, RopeScaling.none(), 128);
            assertEquals(4, rotary.dims());
            NDArray x = m.create(new float[] {1, 2, 3, 4, 5, 6, 7, 8, 1, 2, 3, 4, 5, 6, 7, 8}, new Shape(2, 8));
            NDList table = rotary.table(m, 2, DataType.FLOAT32);
            float[] out = rotary.apply(x, table.get(0), table.get(1)).toFloatArray();
            assertEquals((float) (Math.cos(1) - 3 * Math.sin(1)), out[8], 1e-6f);
            assertArrayEquals(new float[] {5, 6, 7, 8}, java.util.Arrays.copyOfRange(out, 12, 16), 0f);
        }
    }

    @Test
    void linearScalingDividesEveryFrequencyAndLlama3OnlyTheLowOnes() {
        float[] plain = RopeScaling.none().inverseFrequencies(10000, 8, 128, 1);
        assertArrayEquals(new float[] {1, 0.1f, 0.01f, 0.001f}, plain, 1e-7f);
        float[] linear = RopeScaling.linear(4).inverseFrequencies(10000, 8, 128, 1);
        assertArrayEquals(new float[] {0.25f, 0.025f, 0.0025f, 0.00025f}, linear, 1e-7f);
        // Llama 3.1 with L₀ = 16, low 1, high 4, s = 8: wavelengths 2π/θ = 6.28, 62.8, 628, 6283; above
        // L₀/low = 16 divided by s; between L₀/high = 4 and 16 (only the first) smoothed with
        // a = (L₀/λ − low)/(high − low)
        float[] llama3 = RopeScaling.llama3(8, 1, 4, 16).inverseFrequencies(10000, 8, 128, 1);
        double a = (16 / (2 * Math.PI) - 1) / 3;
        assertArrayEquals(new float[] {(float) ((1 - a) / 8 + a), 0.1f / 8, 0.01f / 8, 0.001f / 8}, llama3, 1e-7f);
    }

    @Test
    void dynamicScalingRaisesTheBaseOnlyBeyondTheTrainingContext() {
        RopeScaling dynamic = RopeScaling.dynamic(2);
        assertArrayEquals(RopeScaling.none().inverseFrequencies(10000, 8, 16, 1),
                dynamic.inverseFrequencies(10000, 8, 16, 16), 0f, "within L₀ the base is unchanged");
        // L = 24 > L₀ = 16: base' = 10000 · (2·24/16 − 1)^(8/6) = 10000 · 2^(4/3)
        double base = 10000 * Math.pow(2, 4.0 / 3);
        assertEquals((float) (1 / Math.pow(base, 0.25)), dynamic.inverseFrequencies(10000, 8, 16, 24)[1], 1e-9f);
    }

    @Test
    void longRopeDividesEachFrequencyByItsShortFactorWithinTheOriginalContextAndByItsLongFactorBeyond() {
        // base 10000, 4 rotated dims: θ = 1 and 10000^(-1/2) = 0.01; short (1, 2), long (4, 8); L₀ = 16, s = 4
        RopeScaling r = RopeScaling.longrope(List.of(1.0, 2.0), List.of(4.0, 8.0), 4, 16, Double.NaN);
        assertArrayEquals(new float[] {1, 0.005f}, r.inverseFrequencies(10000, 4, 64, 16), 1e-9f, "span 16 = L₀");
        assertArrayEquals(new float[] {0.25f, 0.00125f}, r.inverseFrequencies(10000, 4, 64, 17), 1e-9f, "span 17");
        // cos and sin are scaled by √(1 + ln s / ln L₀) = √(1 + ln 4 / ln 16) = √1.5, or by attention_factor
        assertEquals(Math.sqrt(1.5), r.attentionScaling(), 1e-12);
        assertEquals(0.7, RopeScaling.longrope(List.of(1.0), List.of(1.0), 4, 16, 0.7).attentionScaling());
        assertEquals(1, RopeScaling.longrope(List.of(1.0), List.of(1.0), 1, 16, Double.NaN).attentionScaling());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> r.inverseFrequencies(10000, 8, 64, 1));
        assertEquals("longrope has 2 factors per list; 8 rotated dimensions need 4", e.getMessage());
        assertThrows(IllegalArgumentException.class,
                () -> RopeScaling.longrope(List.of(1.0, 2.0), List.of(4.0), 4, 16, Double.NaN));
        assertThrows(IllegalArgumentException.class,
                () -> RopeScaling.longrope(List.of(1.0, -2.0), List.of(4.0, 1.0), 4, 16, Double.NaN));
    }

    @Test
    void aRotaryFractionGivingAnOddNumberOfDimensionsIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> new Rotary(8, 0.375, 10000, RopeScaling.none(), 16));
    }

    @Test
    void groupedQueryAttentionEqualsFullAttentionWithTheKeyValueHeadsRepeated() {
        try (NDManager m = NDManager.newBaseManager()) {
            SplittableRandom r = new SplittableRandom(5);
            NDArray q = random(m, r, 1, 4, 5, 6);
            NDArray k = random(m, r, 1, 2, 5, 6);
            NDArray v = random(m, r, 1, 2, 5, 6);
            // kv head 0 serves query heads 0 and 1, kv head 1 query heads 2 and 3
            NDArray kFull = k.repeat(1, 2);
            NDArray vFull = v.repeat(1, 2);
            float[] grouped = new CausalAttention(4, 2, 6).attend(q, k, v, 0, null).toFloatArray();
            float[] full = new CausalAttention(4, 4, 6).attend(q, kFull, vFull, 0, null).toFloatArray();
            assertArrayEquals(full, grouped, 1e-6f);
        }
    }

    @Test
    void aSlidingWindowAveragesOnlyTheLastWindowPositions() {
        try (NDManager m = NDManager.newBaseManager()) {
            // zero queries weigh every visible key alike; values are one-hot per position, so each output row
            // is the average of the positions it sees
            NDArray q = m.zeros(new Shape(1, 1, 4, 4));
            NDArray k = m.zeros(new Shape(1, 1, 4, 4));
            NDArray v = m.eye(4).reshape(1, 1, 4, 4);
            CausalAttention attention = new CausalAttention(1, 1, 4);
            float[] windowed = attention.attend(q, k, v, 2, null).toFloatArray();
            assertArrayEquals(new float[] {1, 0, 0, 0, .5f, .5f, 0, 0, 0, .5f, .5f, 0, 0, 0, .5f, .5f}, windowed, 1e-6f);
            float[] causal = attention.attend(q, k, v, 0, null).toFloatArray();
            assertArrayEquals(new float[] {.25f, .25f, .25f, .25f}, java.util.Arrays.copyOfRange(causal, 12, 16), 1e-6f);
        }
    }

    private static NDArray random(NDManager m, SplittableRandom r, long... shape) {
        Shape s = new Shape(shape);
        float[] values = new float[(int) s.size()];
        for (int i = 0; i < values.length; i++) {
            values[i] = (float) r.nextGaussian();
        }
        return m.create(values, s);
    }
}
