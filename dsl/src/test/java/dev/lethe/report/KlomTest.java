package dev.lethe.report;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

/**
 * KLoM (Georgiev et al. 2024, "Attribute-to-Delete", §2) and its margins on fixed vectors, against numpy/scipy
 * (bench/python-env.sh's venv: numpy 2.4.6, scipy 1.17.1). The reference KLoM, run to make the expected values:
 * <pre>
 * def klom(p, q, bins=20, eps=1e-5):
 *     p = np.clip(p, -100, 100); q = np.clip(q, -100, 100)
 *     lo = min(p.min(), q.min()); hi = max(p.max(), q.max())
 *     if lo &gt;= hi: hi = lo + 1
 *     edges = np.linspace(lo, hi, bins + 1)
 *     hp, _ = np.histogram(p, edges); hq, _ = np.histogram(q, edges)
 *     hp = hp / hp.sum(); hq = hq / hq.sum()
 *     hq = np.where(hp &gt; 0, np.maximum(hq, eps), hq)
 *     return scipy.stats.entropy(hp, hq)     # renormalises hq
 * </pre>
 * applied to each column of U (5 unlearned runs × 4 points) against the same column of O (5 oracles).
 */
class KlomTest {
    private static final double[][] UNLEARNED = {
        {2.0, -1.5, 7.3, 150.0}, {2.4, -1.0, 6.1, 30.0}, {1.1, -3.2, 7.9, -120.0}, {2.9, -0.5, 5.5, 99.0},
        {3.3, -2.2, 6.6, 101.0}};
    private static final double[][] ORACLE = {
        {1.0, -1.4, 7.0, -20.0}, {2.2, -2.9, 6.3, 45.0}, {0.3, -1.1, 8.8, 60.0}, {1.7, -0.2, 5.9, -5.0},
        {2.8, -2.5, 6.9, 80.0}};

    @Test
    void perPointMatchesNumpyAndScipy() {
        // the last column has values beyond ±100: they are clipped first
        assertArrayEquals(new double[] {9.90353755128617, 7.922830041228924, 9.90353755128617, 10.562684925287003},
                Klom.perPoint(UNLEARNED, ORACLE), 1e-9);
    }

    @Test
    void identicalSamplesGiveZero() {
        assertArrayEquals(new double[4], Klom.perPoint(UNLEARNED, UNLEARNED), 0);
    }

    @Test
    void oneRunDegeneratesToAnEqualityIndicator() {
        // N = 1: the two margins fill the first and the last bin: log((1 + 1e-5) / 1e-5), or 0 when equal
        assertEquals(11.51293546492023, Klom.binnedKl(new double[] {1.0}, new double[] {2.0}), 1e-9);
        assertEquals(11.51293546492023, Klom.binnedKl(new double[] {1.0}, new double[] {1.0 + 1e-9}), 1e-9);
        assertEquals(0, Klom.binnedKl(new double[] {1.0}, new double[] {1.0}), 0);
    }

    @Test
    void refusesMismatchedShapes() {
        assertThrows(IllegalArgumentException.class, () -> Klom.perPoint(UNLEARNED, new double[][] {{1, 2, 3, 4}}));
        assertThrows(IllegalArgumentException.class, () -> Klom.perPoint(new double[][] {{1}}, new double[][] {{1, 2}}));
    }
}
