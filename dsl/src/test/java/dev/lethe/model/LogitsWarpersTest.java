package dev.lethe.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Top-k, top-p and sampling on hand-computed distributions. */
class LogitsWarpersTest {
    private static final float NEG = Float.NEGATIVE_INFINITY;

    private static NDArray logits(NDManager m, double[]... rows) {
        float[] flat = new float[rows.length * rows[0].length];
        for (int r = 0; r < rows.length; r++) {
            for (int i = 0; i < rows[r].length; i++) {
                flat[r * rows[0].length + i] = (float) Math.log(rows[r][i]);
            }
        }
        return m.create(flat, new Shape(rows.length, rows[0].length));
    }

    /** Which entries stay finite, row after row. */
    private static boolean[] kept(NDArray warped) {
        float[] v = warped.toFloatArray();
        boolean[] k = new boolean[v.length];
        for (int i = 0; i < v.length; i++) {
            k[i] = v[i] != NEG;
            assertTrue(v[i] == NEG || Float.isFinite(v[i]));
        }
        return k;
    }

    @Test
    void topKKeepsTheKLargestAndTheirTies() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray x = logits(m, new double[] {0.1, 0.2, 0.3, 0.4}, new double[] {0.3, 0.1, 0.4, 0.2});
            assertArrayEquals(new boolean[] {false, false, true, true, true, false, true, false},
                    kept(LogitsWarpers.topK(x, 2)));
            assertArrayEquals(new boolean[] {true, true, true, true, true, true, true, true},
                    kept(LogitsWarpers.topK(x, 9)), "k beyond the vocabulary keeps all");
            NDArray tied = m.create(new float[] {1, 2, 2, 0}, new Shape(1, 4));
            assertArrayEquals(new boolean[] {false, true, true, false}, kept(LogitsWarpers.topK(tied, 1)));
            float[] values = LogitsWarpers.topK(x, 2).toFloatArray();
            assertEquals((float) Math.log(0.3), values[2], 0f, "kept logits are unchanged");
        }
    }

    @Test
    void topPKeepsTheSmallestSetOfMostLikelyTokensReachingP() {
        try (NDManager m = NDManager.newBaseManager()) {
            // ascending 0.1, 0.2, 0.3, 0.4; cumulative 0.1, 0.3, 0.6, 1.0; removed where cumulative ≤ 1 - p
            NDArray x = logits(m, new double[] {0.1, 0.2, 0.3, 0.4}, new double[] {0.3, 0.1, 0.4, 0.2});
            assertArrayEquals(new boolean[] {false, false, true, true, true, false, true, false},
                    kept(LogitsWarpers.topP(x, 0.65)), "0.3 + 0.4 = 0.7 ≥ 0.65, 0.4 alone < 0.65");
            assertArrayEquals(new boolean[] {false, true, true, true, true, false, true, true},
                    kept(LogitsWarpers.topP(x, 0.75)), "0.9 ≥ 0.75, 0.7 < 0.75");
            assertArrayEquals(new boolean[] {false, false, false, true, false, false, true, false},
                    kept(LogitsWarpers.topP(x, 0.35)), "0.4 alone ≥ 0.35");
            assertArrayEquals(new boolean[] {false, false, false, true, false, false, true, false},
                    kept(LogitsWarpers.topP(x, 1e-9)), "the most likely token always stays");
            assertArrayEquals(new boolean[] {true, true, true, true, true, true, true, true},
                    kept(LogitsWarpers.topP(x, 1)));
        }
    }

    /** Pearson's χ² of {@code counts} against {@code probabilities} over {@code n} draws. */
    private static double chiSquare(long[] counts, double[] probabilities, int n) {
        double chi = 0;
        for (int i = 0; i < counts.length; i++) {
            double expected = n * probabilities[i];
            if (expected == 0) {
                assertEquals(0, counts[i], "token " + i + " has probability 0");
            } else {
                chi += (counts[i] - expected) * (counts[i] - expected) / expected;
            }
        }
        return chi;
    }

    private static long[] draw(NDManager m, NDArray row, int n, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        float[] u = new float[n];
        for (int i = 0; i < n; i++) {
            u[i] = (float) (1 - random.nextDouble());
        }
        long vocabulary = row.getShape().get(1);
        long[] ids = LogitsWarpers.sample(row.broadcast(new Shape(n, vocabulary)), m.create(u, new Shape(n, 1)))
                .toLongArray();
        long[] counts = new long[(int) vocabulary];
        for (long id : ids) {
            counts[(int) id]++;
        }
        return counts;
    }

    @Test
    void samplingFrequenciesMatchTheProbabilitiesWithinAChiSquareBound() {
        int n = 20_000;
        try (NDManager m = NDManager.newBaseManager()) {
            double[] p = {0.1, 0.2, 0.3, 0.4};
            NDArray x = logits(m, p);
            // χ² with 3 degrees of freedom exceeds 16.27 with probability 0.001
            double chi = chiSquare(draw(m, x, n, 17), p, n);
            assertTrue(chi < 16.27, "χ² " + chi);
            double topTwo = chiSquare(draw(m, LogitsWarpers.topK(x, 2), n, 18), new double[] {0, 0, 3 / 7.0, 4 / 7.0}, n);
            assertTrue(topTwo < 10.83, "χ² (1 degree of freedom) " + topTwo);
            double hot = chiSquare(draw(m, LogitsWarpers.temperature(x, 2), n, 19), tempered(p, 2), n);
            assertTrue(hot < 16.27, "χ² at temperature 2 " + hot);
        }
    }

    /** softmax(log p / t). */
    private static double[] tempered(double[] p, double t) {
        double[] q = new double[p.length];
        double sum = 0;
        for (int i = 0; i < p.length; i++) {
            q[i] = Math.pow(p[i], 1 / t);
            sum += q[i];
        }
        for (int i = 0; i < p.length; i++) {
            q[i] /= sum;
        }
        return q;
    }
}
