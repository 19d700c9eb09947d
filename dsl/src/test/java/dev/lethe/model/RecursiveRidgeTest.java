package dev.lethe.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * ACU's recursive ridge (arXiv 2505.12239, method section; {@code FORMULAS.md}): after any sequence of learn and forget requests
 * the head equals the ridge regression solved from scratch on the rows that remain, checked against an independent
 * computation (the normal equations (XᵀX + γI)W = XᵀY solved by Gaussian elimination with partial pivoting), and a
 * one-dimensional case by hand.
 */
class RecursiveRidgeTest {

    @Test
    void oneFeatureByHand() {
        // x = 1 and x = 2, both with target token 5, γ = 0.1: R = 1/(1 + 4 + 0.1) = 1/5.1, W = R·(1 + 2) = 3/5.1
        RecursiveRidge r = RecursiveRidge.start(1, 0.1).learn(new double[] {1, 2}, new int[] {5, 5});
        assertEquals(1 / 5.1, r.r()[0], 1e-12);
        assertEquals(3 / 5.1, r.w()[0], 1e-12);
        assertArrayEquals(new int[] {5}, r.tokens());
        // forgetting x = 2 leaves R = 1/(1 + 0.1), W = 1/1.1
        RecursiveRidge f = r.forget(new double[] {2}, new int[] {5});
        assertEquals(1 / 1.1, f.r()[0], 1e-12);
        assertEquals(1 / 1.1, f.w()[0], 1e-12);
        // forgetting the last row gives back the start: R = 1/γ, W = 0
        RecursiveRidge empty = f.forget(new double[] {1}, new int[] {5});
        assertEquals(10, empty.r()[0], 1e-12);
        assertEquals(0, empty.w()[0], 1e-12);
    }

    @Test
    void afterLearnAndForgetRequestsTheHeadIsTheRidgeSolutionOnWhatRemains() {
        int d = 12;
        double gamma = 0.1;
        SplittableRandom random = new SplittableRandom(7);
        List<double[]> rows = new ArrayList<>();
        List<Integer> targets = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            double[] x = new double[d];
            for (int j = 0; j < d; j++) {
                x[j] = Math.max(0, random.nextGaussian());     // ReLU features, as ACU's expansion gives
            }
            rows.add(x);
            targets.add(3 + random.nextInt(6) * 7);             // six token ids, in no order
        }
        boolean[] in = new boolean[rows.size()];
        RecursiveRidge r = RecursiveRidge.start(d, gamma);
        // r1: learn 0..24 in chunks of 5; r2: forget 3, 7..9, 20; r3: learn 25..39 one by one; r4: forget 0..2, 30..33;
        // r5: learn 7 again (a forgotten row comes back); r6: forget 24, 39
        for (int from = 0; from < 25; from += 5) {
            r = apply(r, rows, targets, in, range(from, from + 5), true);
        }
        r = apply(r, rows, targets, in, new int[] {3, 7, 8, 9, 20}, false);
        for (int i = 25; i < 40; i++) {
            r = apply(r, rows, targets, in, new int[] {i}, true);
        }
        r = apply(r, rows, targets, in, new int[] {0, 1, 2, 30, 31, 32, 33}, false);
        r = apply(r, rows, targets, in, new int[] {7}, true);
        r = apply(r, rows, targets, in, new int[] {24, 39}, false);

        double[][] a = new double[d][d];
        double[][] b = new double[d][r.tokens().length];
        for (int i = 0; i < rows.size(); i++) {
            if (!in[i]) {
                continue;
            }
            double[] x = rows.get(i);
            for (int p = 0; p < d; p++) {
                for (int q = 0; q < d; q++) {
                    a[p][q] += x[p] * x[q];
                }
                b[p][r.column(targets.get(i))] += x[p];
            }
        }
        for (int p = 0; p < d; p++) {
            a[p][p] += gamma;
        }
        double[][] w = solve(a, b);
        double[] got = r.w();
        int k = r.tokens().length;
        double worst = 0;
        for (int p = 0; p < d; p++) {
            for (int c = 0; c < k; c++) {
                worst = Math.max(worst, Math.abs(got[p * k + c] - w[p][c]));
            }
        }
        assertTrue(worst < 1e-6, "largest difference from the ridge solution " + worst);
        // and R is the inverse of the regularised Gram matrix of what remains
        double[][] identity = new double[d][d];
        for (int p = 0; p < d; p++) {
            identity[p][p] = 1;
        }
        double[][] inverse = solve(a, identity);
        double[] rr = r.r();
        for (int p = 0; p < d; p++) {
            for (int q = 0; q < d; q++) {
                assertEquals(inverse[p][q], rr[p * d + q], 1e-6);
            }
        }
    }

    @Test
    void rowsThatWereNeverLearnedAreRefused() {
        RecursiveRidge r = RecursiveRidge.start(2, 0.1).learn(new double[] {1, 0}, new int[] {4});
        IllegalArgumentException token = assertThrows(IllegalArgumentException.class,
                () -> r.forget(new double[] {1, 0}, new int[] {9}));
        assertTrue(token.getMessage().contains("never a learned target"), token.getMessage());
        // a large row that was never learned makes I − X R Xᵀ indefinite: 1 − 10·100 < 0
        IllegalArgumentException row = assertThrows(IllegalArgumentException.class,
                () -> r.forget(new double[] {0, 10}, new int[] {4}));
        assertTrue(row.getMessage().contains("not positive definite"), row.getMessage());
    }

    @Test
    void aStateReadBackFromItsArraysIsTheSame() {
        RecursiveRidge r = RecursiveRidge.start(2, 0.5).learn(new double[] {1, 2, 3, 4}, new int[] {1, 8});
        RecursiveRidge back = RecursiveRidge.of(2, 0.5, r.r(), r.tokens(), r.w());
        assertArrayEquals(r.r(), back.r());
        assertArrayEquals(r.w(), back.w());
        assertArrayEquals(r.tokens(), back.tokens());
        assertThrows(IllegalArgumentException.class, () -> RecursiveRidge.of(2, 0.5, new double[3], new int[0], new double[0]));
    }

    private static RecursiveRidge apply(RecursiveRidge r, List<double[]> rows, List<Integer> targets, boolean[] in,
            int[] which, boolean learn) {
        double[] x = new double[which.length * r.dim()];
        int[] t = new int[which.length];
        for (int i = 0; i < which.length; i++) {
            System.arraycopy(rows.get(which[i]), 0, x, i * r.dim(), r.dim());
            t[i] = targets.get(which[i]);
            in[which[i]] = learn;
        }
        return learn ? r.learn(x, t) : r.forget(x, t);
    }

    private static int[] range(int from, int to) {
        int[] out = new int[to - from];
        Arrays.setAll(out, i -> from + i);
        return out;
    }

    /** A⁻¹B by Gaussian elimination with partial pivoting (A, B copied). */
    static double[][] solve(double[][] a0, double[][] b0) {
        int n = a0.length;
        int m = b0[0].length;
        double[][] a = new double[n][];
        double[][] b = new double[n][];
        for (int i = 0; i < n; i++) {
            a[i] = a0[i].clone();
            b[i] = b0[i].clone();
        }
        for (int c = 0; c < n; c++) {
            int pivot = c;
            for (int i = c + 1; i < n; i++) {
                if (Math.abs(a[i][c]) > Math.abs(a[pivot][c])) {
                    pivot = i;
                }
            }
            double[] t = a[c];
            a[c] = a[pivot];
            a[pivot] = t;
            t = b[c];
            b[c] = b[pivot];
            b[pivot] = t;
            for (int i = c + 1; i < n; i++) {
                double f = a[i][c] / a[c][c];
                for (int j = c; j < n; j++) {
                    a[i][j] -= f * a[c][j];
                }
                for (int j = 0; j < m; j++) {
                    b[i][j] -= f * b[c][j];
                }
            }
        }
        double[][] x = new double[n][m];
        for (int i = n - 1; i >= 0; i--) {
            for (int j = 0; j < m; j++) {
                double s = b[i][j];
                for (int k = i + 1; k < n; k++) {
                    s -= a[i][k] * x[k][j];
                }
                x[i][j] = s / a[i][i];
            }
        }
        return x;
    }
}
