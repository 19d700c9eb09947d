package dev.lethe.eval.stats;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/**
 * Expected values come from SciPy 1.10.1 (Debian python3-scipy), script /tmp/ref/ks.py at the time of writing:
 * {@code r = scipy.stats.ks_2samp(a, b)} (method='auto'), printing {@code repr(r.statistic), repr(r.pvalue)};
 * {@code scipy.stats.ks_2samp(a, b, method='asymp').pvalue}; and
 * {@code scipy.stats.kstwobign.sf(math.sqrt(round(en)) * r.statistic)} with {@code en = m*n/(m+n)} for Kolmogorov's
 * limiting distribution. Large samples use {@link #gen}, whose Python twin is
 *
 * <pre>
 * PHI = 0.6180339887498949
 * def gen(n, seed, shift=0.0, scale=1.0, decimals=None):
 *     out = []
 *     for i in range(n):
 *         u = ((i+1)*(i+1)*PHI + seed*0.7548776662466927) % 1.0
 *         v = u*scale + shift
 *         if decimals is not None: v = round(v*10**decimals)/10**decimals
 *         out.append(v)
 *     return out
 * </pre>
 *
 * (IEEE products, fmod of positives and round-half-even agree bit for bit between Python and Java.)
 */
class KolmogorovSmirnovTest {

    static double[] gen(int n, int seed, double shift, double scale, int decimals) {
        double[] out = new double[n];
        for (int i = 0; i < n; i++) {
            double u = ((double) (i + 1) * (i + 1) * 0.6180339887498949 + seed * 0.7548776662466927) % 1.0;
            double v = u * scale + shift;
            if (decimals >= 0) {
                double p = Math.pow(10, decimals);
                v = Math.rint(v * p) / p;
            }
            out[i] = v;
        }
        return out;
    }

    static double[] gen(int n, int seed) {
        return gen(n, seed, 0.0, 1.0, -1);
    }

    /** |actual − expected| ≤ 1e-6 · |expected| (and an absolute 1e-12 floor for p-values near 1). */
    static void assertRel(double expected, double actual, String what) {
        double tol = Math.max(1e-6 * Math.abs(expected), 1e-12);
        assertEquals(expected, actual, tol, what);
    }

    static void check(double[] a, double[] b, double statistic, double pValue) {
        KsResult r = KolmogorovSmirnov.twoSample(a, b);
        assertEquals(statistic, r.statistic(), 1e-12, "statistic");
        assertRel(pValue, r.pValue(), "p-value");
        KsResult swapped = KolmogorovSmirnov.twoSample(b, a);
        assertEquals(statistic, swapped.statistic(), 1e-12, "statistic is symmetric");
        assertRel(pValue, swapped.pValue(), "p-value is symmetric");
    }

    @Test
    void smallSamplesWithTiesMatchScipyExact() {
        // ks_2samp([1,2,2,3,5,8], [2,3,3,4,9,10,11])
        double[] a = {1, 2, 2, 3, 5, 8};
        double[] b = {2, 3, 3, 4, 9, 10, 11};
        check(a, b, 0.42857142857142855, 0.4335664335664336);
        assertEquals(KolmogorovSmirnov.Method.EXACT, KolmogorovSmirnov.twoSample(a, b).method());
    }

    @Test
    void equalSizes400FarApartGiveTinyExactPValue() {
        // ks_2samp(gen(400,1), gen(400,2,shift=0.45)); method='asymp' would give 3.409692567334537e-36
        check(gen(400, 1), gen(400, 2, 0.45, 1.0, -1), 0.4425, 1.3361954891983966e-35);
    }

    @Test
    void unequalSizes400And300FarApartGiveTinyExactPValue() {
        // ks_2samp(gen(400,3), gen(300,4,shift=0.5)); the limiting distribution gives 1.1294390418341362e-42
        double[] a = gen(400, 3);
        double[] b = gen(300, 4, 0.5, 1.0, -1);
        check(a, b, 0.5333333333333333, 3.7741333565087704e-45);
        double limit = KolmogorovSmirnov.kolmogorovSurvival(Math.sqrt(171) * 0.5333333333333333);
        assertRel(1.1294390418341362e-42, limit, "kstwobign.sf(sqrt(171) * D)");
        assertTrue(limit / 3.7741333565087704e-45 > 100, "the limiting formula is orders of magnitude off here");
        // ks_2samp(..., method='asymp') = 5.8780419445722945e-46, also far from the exact value
        KsResult asymp = KolmogorovSmirnov.twoSample(a, b, KolmogorovSmirnov.Method.ASYMP);
        assertEquals(KolmogorovSmirnov.Method.ASYMP, asymp.method());
        assertRel(5.8780419445722945e-46, asymp.pValue(), "asymp");
    }

    @Test
    void unequalSizes400And397WithTiesMatchScipy() {
        // ks_2samp(gen(400,5,decimals=2), gen(397,6,shift=0.05,decimals=2))
        check(gen(400, 5, 0.0, 1.0, 2), gen(397, 6, 0.05, 1.0, 2), 0.05821788413098237, 0.48389074805096904);
    }

    @Test
    void equalSizes50SameDistributionMatchScipy() {
        // ks_2samp(gen(50,7), gen(50,8))
        check(gen(50, 7), gen(50, 8), 0.14, 0.7166468440414822);
    }

    @Test
    void unequalSizes37And23MatchScipy() {
        // ks_2samp(gen(37,9), gen(23,10,shift=0.3,scale=1.5))
        check(gen(37, 9), gen(23, 10, 0.3, 1.5, -1), 0.6521739130434783, 2.9812501056339693e-06);
    }

    @Test
    void identicalSamplesGivePValueOne() {
        double[] a = {0.1, 0.5, 0.9};
        KsResult r = KolmogorovSmirnov.twoSample(a, a.clone());
        assertEquals(0.0, r.statistic());
        assertEquals(1.0, r.pValue());
    }

    @Test
    void autoSwitchesToAsymptoticAbove10000() {
        // ks_2samp(gen(10001,11), gen(500,12,shift=0.02)): statistic 0.0544439556044396, p 0.11466207811887674
        // (= kstwo.sf(d, 476), Pelz–Good branch)
        KsResult r = KolmogorovSmirnov.twoSample(gen(10001, 11), gen(500, 12, 0.02, 1.0, -1));
        assertEquals(KolmogorovSmirnov.Method.ASYMP, r.method());
        assertEquals(0.0544439556044396, r.statistic(), 1e-12);
        assertRel(0.11466207811887674, r.pValue(), "asymp");
    }

    @Test
    void asympMethodMatchesScipyOnSmallAndLargeSamples() {
        // ks_2samp(a, b, method='asymp').pvalue for the cases above
        KolmogorovSmirnov.Method asymp = KolmogorovSmirnov.Method.ASYMP;
        assertRel(0.5160349854227404, KolmogorovSmirnov.twoSample(new double[] {1, 2, 2, 3, 5, 8},
                new double[] {2, 3, 3, 4, 9, 10, 11}, asymp).pValue(), "6 vs 7");
        assertRel(3.409692567334537e-36,
                KolmogorovSmirnov.twoSample(gen(400, 1), gen(400, 2, 0.45, 1.0, -1), asymp).pValue(), "400 vs 400");
        assertRel(0.49181129957227343, KolmogorovSmirnov.twoSample(gen(400, 5, 0.0, 1.0, 2),
                gen(397, 6, 0.05, 1.0, 2), asymp).pValue(), "400 vs 397");
        assertRel(0.6603324116985557, KolmogorovSmirnov.twoSample(gen(50, 7), gen(50, 8), asymp).pValue(), "50");
        assertRel(2.367790800123249e-06,
                KolmogorovSmirnov.twoSample(gen(37, 9), gen(23, 10, 0.3, 1.5, -1), asymp).pValue(), "37 vs 23");
    }

    @Test
    void limitingDistributionMatchesKstwobignOnBothBranches() {
        // kstwobign.sf(sqrt(round(en)) * D) for the small cases above
        assertRel(0.6401283250444787, KolmogorovSmirnov.kolmogorovSurvival(Math.sqrt(3) * 0.42857142857142855), "λ<1");
        assertRel(0.711235195029689, KolmogorovSmirnov.kolmogorovSurvival(Math.sqrt(25) * 0.14), "λ<1");
        assertRel(1.34555946490741e-05, KolmogorovSmirnov.kolmogorovSurvival(Math.sqrt(14) * 0.6521739130434783),
                "λ>1");
    }

    @Test
    void rejectsEmptyAndNaNSamples() {
        assertThrows(IllegalArgumentException.class, () -> KolmogorovSmirnov.twoSample(new double[0], new double[] {1}));
        assertThrows(IllegalArgumentException.class,
                () -> KolmogorovSmirnov.twoSample(new double[] {Double.NaN}, new double[] {1}));
    }
}
