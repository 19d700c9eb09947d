package dev.lethe.eval.stats;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** Hand-worked truth ratios, set reductions, harmonic mean (checked against scipy.stats.hmean) and PrivLeak. */
class TruthRatioTest {

    @Test
    void ratioUsesTheGeometricMeanOfPerturbedProbabilities() {
        // P̃ perturbed = (e^−1 · e^−2 · e^−3)^(1/3) = e^−2; P̃ paraphrased = e^−1.5; R = e^−0.5
        double expected = Math.cbrt(Math.exp(-1) * Math.exp(-2) * Math.exp(-3)) / Math.exp(-1.5);
        assertEquals(expected, TruthRatio.ratio(new double[] {1, 2, 3}, 1.5), 1e-12);
        assertEquals(Math.exp(-0.5), TruthRatio.ratio(new double[] {1, 2, 3}, 1.5), 1e-12);
        assertEquals(Math.exp(-1.5), TruthRatio.probability(1.5), 1e-15);
    }

    @Test
    void forgetReductionFoldsRatiosAboveOne() {
        // min(R, 1/R): 0.5, 0.5, 1 → 2/3
        assertEquals(2.0 / 3, TruthRatio.forgetScore(new double[] {0.5, 2.0, 1.0}), 1e-12);
    }

    @Test
    void retainReductionClipsAtZero() {
        // max(0, 1 − R): 0.5, 0, 0.75 → 5/12
        assertEquals(5.0 / 12, TruthRatio.retainScore(new double[] {0.5, 2.0, 0.25}), 1e-12);
    }

    @Test
    void harmonicMeanMatchesScipyHmean() {
        // scipy.stats.hmean([1, 2, 4]) = 1.7142857142857142 (= 12/7)
        assertEquals(1.7142857142857142, Aggregates.harmonicMean(1, 2, 4), 1e-12);
        // scipy.stats.hmean([0.3, 0.55, 0.9, 0.12, 0.67, 0.41]) = 0.3238425638791612
        assertEquals(0.3238425638791612, Aggregates.harmonicMean(0.3, 0.55, 0.9, 0.12, 0.67, 0.41), 1e-12);
        assertEquals(0.0, Aggregates.harmonicMean(0.5, 0.0, 0.7), 0);
    }

    @Test
    void privLeakIsRelativeAucGapInPercent() {
        assertEquals(20.0, Aggregates.privLeak(0.6, 0.5), 1e-9);
        assertEquals(-10.0, Aggregates.privLeak(0.45, 0.5), 1e-9);
        assertEquals(0.0, Aggregates.privLeak(0.5, 0.5), 0);
    }
}
