package dev.lethe.eval.stats;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** Expected values: SciPy 1.10.1 {@code repr(scipy.stats.kstwo.sf(x, n))}, one per algorithm branch. */
class FiniteKolmogorovTest {

    /** Within 1e-6 relative of the smaller of p and 1 − p, so values near 1 are checked in their complement. */
    static void check(int n, double x, double expected) {
        double tol = Math.max(1e-6 * Math.min(expected, 1 - expected), 1e-14);
        assertEquals(expected, FiniteKolmogorov.sf(n, x), tol, "kstwo.sf(" + x + ", " + n + ")");
    }

    @Test
    void rubenGambinoEnds() {
        check(10, 0.03, 1.0); // t ≤ 1/2
        check(10, 0.08, 0.9999978058034054); // 1/2 < t ≤ 1, n ≤ 140
        check(200, 0.004, 1.0); // 1/2 < t ≤ 1, n > 140 (Stirling)
        check(300, 0.997, 0.0); // t ≥ n − 1: 2(1 − x)^n underflows
    }

    @Test
    void durbinMatrixBranch() {
        check(10, 0.2, 0.7487190399999999);
        check(50, 0.1, 0.6623112704658186);
        check(100, 0.02, 0.999999999978262);
        check(140, 0.05, 0.8576480297656114);
        check(5000, 0.004, 0.9999977369528622);
    }

    @Test
    void pomeranzBranch() {
        check(10, 0.4, 0.05898924519999926);
        check(50, 0.2, 0.03143877776953241);
        check(100, 0.15, 0.019839242125641813);
    }

    @Test
    void twiceSmirnovBranch() {
        check(10, 0.7, 1.9544800000000034e-05);
        check(100, 0.25, 5.408871776434847e-06);
        check(476, 0.2, 3.648758303249741e-17);
        check(5000, 0.03, 0.00024159234422666817);
        check(300, 0.9, 2.2226563669755547e-300);
    }

    @Test
    void pelzGoodBranch() {
        check(476, 0.0544439556044396, 0.11466207811887674);
        check(476, 0.05, 0.17886527031931188);
        check(1000, 0.03, 0.3226902143914636);
        check(5000, 0.01, 0.6954557253913853);
        check(200000, 0.001, 0.9881500208855729);
        check(200000, 0.003, 0.0545369786611305);
    }
}
