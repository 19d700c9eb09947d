package dev.lethe.adapter;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import dev.lethe.data.Split;
import dev.lethe.model.CausalLm;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class FilaTest {

    @Test
    void importanceIsTheTokenWeightedFisherRatioSummedPerOutput() {
        // a (2, 2) weight; forget batches with 3 and 1 answer tokens, one retain batch with 2
        double[] forget = new double[4];
        Fila.accumulate(forget, new float[] {1, 2, 0, 1}, 3);
        Fila.accumulate(forget, new float[] {0, 1, 1, 2}, 1);
        assertArrayEquals(new double[] {3, 13, 1, 7}, forget, 0); // 3·g₁² + 1·g₂²
        double[] retain = new double[4];
        Fila.accumulate(retain, new float[] {1, -1, 1, 1}, 2);
        double[] fForget = {3 / 4.0, 13 / 4.0, 1 / 4.0, 7 / 4.0}; // ÷ 4 forget tokens
        double[] fRetain = {1, 1, 1, 1}; // 2·1 ÷ 2 retain tokens
        double[] importance = Fila.relativeImportance(fForget, fRetain);
        assertArrayEquals(new double[] {0.75 / 1.00001, 3.25 / 1.00001, 0.25 / 1.00001, 1.75 / 1.00001}, importance,
                1e-15);
        // output j sums its column of the (in, out) layout: j = 0 gets rows 0 and 1 at index 0 and 2
        assertArrayEquals(new double[] {Math.sqrt(1 / 1.00001), Math.sqrt(5 / 1.00001)},
                Fila.outputWeights(importance, 2, 2), 1e-15);
    }

    @Test
    void jacobiSvdMatchesAHandComputedCase() {
        // [[3, 0], [4, 5]]: σ₁² + σ₂² = 50 and σ₁·σ₂ = |det| = 15, so σ² = 45 and 5
        TruncatedSvd svd = TruncatedSvd.of(new double[][] {{3, 0}, {4, 5}}, 2);
        assertArrayEquals(new double[] {Math.sqrt(45), Math.sqrt(5)}, svd.s(), 1e-12);
        // u₁ = (1, 3)/√10, v₁ = (1, 1)/√2, up to a common sign
        double sign = Math.signum(svd.u()[0][0]);
        assertArrayEquals(new double[] {1 / Math.sqrt(10), 3 / Math.sqrt(10)},
                new double[] {sign * svd.u()[0][0], sign * svd.u()[1][0]}, 1e-12);
        assertArrayEquals(new double[] {1 / Math.sqrt(2), 1 / Math.sqrt(2)},
                new double[] {sign * svd.v()[0][0], sign * svd.v()[1][0]}, 1e-12);
    }

    @Test
    void factorsReproduceTheWeightAtFullRankAndFavourImportantOutputs() {
        int in = 5;
        int out = 7;
        float[] w = new float[in * out];
        SplittableRandom random = new SplittableRandom(9);
        for (int i = 0; i < w.length; i++) {
            w[i] = (float) random.nextGaussian();
        }
        double scale = 2.0;
        double[] uniform = {1, 1, 1, 1, 1, 1, 1};
        float[] shrunk = new float[w.length]; // B carries 1/(w + ε): W·w/(w + ε) comes back
        for (int i = 0; i < w.length; i++) {
            shrunk[i] = (float) (w[i] / (1 + Fila.EPS));
        }
        assertArrayEquals(shrunk, floats(product(Fila.factor(w, in, out, uniform, in, scale), in, out, in, scale)),
                1e-6f);
        // rank 1 with one output 1000× as important: that column is reproduced, the others are not
        double[] weights = {1, 1, 1000, 1, 1, 1, 1};
        double[] approx = product(Fila.factor(w, in, out, weights, 1, scale), in, out, 1, scale);
        for (int i = 0; i < in; i++) {
            assertEquals(w[i * out + 2], approx[i * out + 2], 1e-4, "row " + i + " of the important output");
        }
        double rest = 0;
        for (int i = 0; i < in * out; i++) {
            rest += i % out == 2 ? 0 : Math.abs(w[i] - approx[i]);
        }
        assertTrue(rest > 1, "rank 1 cannot also fit the other outputs: " + rest);
    }

    @Test
    void filaMovesTheForgetPartIntoTheAdaptersWithoutChangingTheFunction() {
        Toy toy = new Toy();
        try (CausalLm model = toy.model(6)) {
            float[] before = toy.logits(model);
            Map<String, float[]> base = Toy.snapshot(model.weights());
            List<Double> adapterNorms = new ArrayList<>();
            Adapters.train(model, Lora.rank(2).alpha(4).fila(), toy.data, toy.tokenizer, 3, 1, view -> {
                assertArrayEquals(before, toy.logits(view), 1e-4f, "function unchanged at init");
                view.weights().forEach((n, a) -> adapterNorms.add(norm(a)));
                float[] residual = view.baseWeights().get("h.0.mlp.c_fc.weight").toFloatArray();
                assertFalse(java.util.Arrays.equals(base.get("h.0.mlp.c_fc.weight"), residual),
                        "the base holds the residual W − (α/r)·AB");
            });
            assertTrue(adapterNorms.stream().allMatch(x -> x > 0), "A and B both start non-zero: " + adapterNorms);
            assertArrayEquals(before, toy.logits(model), 1e-4f, "merging the untouched adapters restores W");
        }
    }

    @Test
    void theFisherPassRejectsAnEmptySplit() {
        Toy toy = new Toy();
        try (CausalLm model = toy.model(7)) {
            org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, () -> Fila.fisher(model,
                    List.of("h.0.mlp.c_fc.weight"), List.of(), toy.tokenizer, 4));
            // one batch of n tokens: the Fisher is the squared gradient of that batch's mean token NLL
            Map<String, double[]> one = Fila.fisher(model, List.of("h.0.mlp.c_fc.weight"), toy.encoded(Split.FORGET, 2),
                    toy.tokenizer, 2);
            Map<String, double[]> twice = Fila.fisher(model, List.of("h.0.mlp.c_fc.weight"),
                    doubled(toy.encoded(Split.FORGET, 2)), toy.tokenizer, 2);
            assertArrayEquals(one.get("h.0.mlp.c_fc.weight"), twice.get("h.0.mlp.c_fc.weight"), 1e-12,
                    "two identical batches average to one");
        }
    }

    private static <T> List<T> doubled(List<T> xs) {
        List<T> out = new ArrayList<>(xs);
        out.addAll(xs);
        return out;
    }

    private static double norm(NDArray a) {
        double s = 0;
        for (float v : a.toFloatArray()) {
            s += v * v;
        }
        return Math.sqrt(s);
    }

    /** scale · a · b for row-major a (in, r) and b (r, out). */
    private static double[] product(float[][] ab, int in, int out, int r, double scale) {
        double[] m = new double[in * out];
        for (int i = 0; i < in; i++) {
            for (int j = 0; j < out; j++) {
                double s = 0;
                for (int k = 0; k < r; k++) {
                    s += (double) ab[0][i * r + k] * ab[1][k * out + j];
                }
                m[i * out + j] = scale * s;
            }
        }
        return m;
    }

    private static float[] floats(double[] xs) {
        float[] out = new float[xs.length];
        for (int i = 0; i < xs.length; i++) {
            out[i] = (float) xs[i];
        }
        return out;
    }
}
