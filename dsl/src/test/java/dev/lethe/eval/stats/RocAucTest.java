package dev.lethe.eval.stats;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

/**
 * Expected values from scikit-learn 1.2.1 (Debian python3-sklearn): {@code sklearn.metrics.roc_auc_score(y, s)} and
 * {@code sklearn.metrics.roc_curve(y, s)} (drop_intermediate=True). scikit-learn 1.2 puts max(s) + 1 as the first
 * threshold where ≥ 1.3 (and this class) put +∞; the other thresholds are compared as returned.
 */
class RocAucTest {

    static final double[] TIED = {0.9, 0.8, 0.8, 0.7, 0.7, 0.7, 0.4, 0.3, 0.3, 0.1};
    static final boolean[] TIED_LABELS = {true, true, false, true, false, false, true, false, true, false};

    @Test
    void tiesCountOneHalfLikeSklearn() {
        // roc_auc_score([1,1,0,1,0,0,1,0,1,0], [0.9,0.8,0.8,0.7,0.7,0.7,0.4,0.3,0.3,0.1]) = 0.64
        // by hand: 25 pairs; wins 14 + ties 0.5·4 (0.8 vs 0.8, 0.7 vs 2×0.7, 0.3 vs 0.3) = 16 → 16/25
        assertEquals(0.64, RocAuc.auc(TIED, TIED_LABELS), 1e-12);
    }

    @Test
    void curveWithTiesMatchesSklearn() {
        // roc_curve(y, s) on the vectors above
        RocCurve c = RocAuc.curve(TIED, TIED_LABELS);
        assertArrayEquals(new double[] {0.0, 0.0, 0.2, 0.6, 0.6, 0.8, 1.0}, c.fpr(), 1e-12);
        assertArrayEquals(new double[] {0.0, 0.2, 0.4, 0.6, 0.8, 1.0, 1.0}, c.tpr(), 1e-12);
        assertArrayEquals(new double[] {Double.POSITIVE_INFINITY, 0.9, 0.8, 0.7, 0.4, 0.3, 0.1}, c.thresholds(), 0);
    }

    @Test
    void collinearPointsAreDroppedLikeSklearn() {
        // roc_curve([1,1,1,0,0,1,0,0,0,0], [10,9,...,1]) → fpr [0,0,0,1/3,1/3,1], tpr [0,.25,.75,.75,1,1],
        // thresholds [11,10,8,6,5,1]; roc_auc_score = 0.9166666666666667
        double[] s = {10, 9, 8, 7, 6, 5, 4, 3, 2, 1};
        boolean[] y = {true, true, true, false, false, true, false, false, false, false};
        RocCurve c = RocAuc.curve(s, y);
        assertArrayEquals(new double[] {0.0, 0.0, 0.0, 1.0 / 3, 1.0 / 3, 1.0}, c.fpr(), 1e-12);
        assertArrayEquals(new double[] {0.0, 0.25, 0.75, 0.75, 1.0, 1.0}, c.tpr(), 1e-12);
        assertArrayEquals(new double[] {10, 8, 6, 5, 1}, Arrays.copyOfRange(c.thresholds(), 1, 6), 0);
        assertEquals(0.9166666666666667, RocAuc.auc(s, y), 1e-12);
    }

    @Test
    void generated300WithManyTiesMatchesSklearn() {
        // PHI = 0.6180339887498949
        // sc = [round((((i+1)*(i+1)*PHI) % 1.0)*20)/20 for i in range(300)]
        // lab = [((i*7919) % 13) < 6 for i in range(300)]
        // sc = [v + (0.1 if l else 0.0) for v, l in zip(sc, lab)]
        // roc_auc_score(lab, sc) = 0.6020152821841905
        double[] s = new double[300];
        boolean[] y = new boolean[300];
        for (int i = 0; i < 300; i++) {
            double u = ((double) (i + 1) * (i + 1) * 0.6180339887498949) % 1.0;
            y[i] = ((i * 7919) % 13) < 6;
            s[i] = Math.rint(u * 20) / 20 + (y[i] ? 0.1 : 0.0);
        }
        assertEquals(0.6020152821841905, RocAuc.auc(s, y), 1e-12);
    }

    @Test
    void perfectAndReversedSeparation() {
        double[] s = {3, 2, 1, 0};
        assertEquals(1.0, RocAuc.auc(s, new boolean[] {true, true, false, false}), 0);
        assertEquals(0.0, RocAuc.auc(s, new boolean[] {false, false, true, true}), 0);
        assertEquals(0.5, RocAuc.auc(new double[] {1, 1, 1, 1}, new boolean[] {false, true, false, true}), 0);
    }

    @Test
    void needsBothClassesAndMatchingLengths() {
        assertThrows(IllegalArgumentException.class, () -> RocAuc.auc(new double[] {1, 2}, new boolean[] {true, true}));
        assertThrows(IllegalArgumentException.class, () -> RocAuc.auc(new double[] {1, 2}, new boolean[] {true}));
    }
}
