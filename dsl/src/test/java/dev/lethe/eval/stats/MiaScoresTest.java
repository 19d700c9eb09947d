package dev.lethe.eval.stats;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

/** Hand-worked membership-inference scores; zlib lengths from Python 3.11 {@code len(zlib.compress(s.encode()))}. */
class MiaScoresTest {

    static final double[] LOG_PROBS = {-0.1, -5.0, -0.2, -3.0, -0.3};

    @Test
    void lossIsMeanNegativeLogProb() {
        assertEquals(2.0, MiaScores.loss(new double[] {-1, -2, -3}), 1e-12);
        assertEquals(8.6 / 5, MiaScores.loss(LOG_PROBS), 1e-12);
    }

    @Test
    void zlibLengthMatchesPythonZlibCompress() {
        // /usr/bin/python3: len(zlib.compress(s.encode('utf-8')))
        assertEquals(8, MiaScores.zlibLength(""));
        assertEquals(9, MiaScores.zlibLength("a"));
        assertEquals(19, MiaScores.zlibLength("hello world"));
        assertEquals(57, MiaScores.zlibLength("The quick brown fox jumps over the lazy dog. ".repeat(10)));
        assertEquals(46, MiaScores.zlibLength("café naïve 日本語 テキスト"));
        assertEquals(2.0 / 19, MiaScores.zlib(new double[] {-1, -2, -3}, "hello world"), 1e-12);
    }

    @Test
    void minKAveragesTheLowestIntKnTokensAsMuseAndShiEtAlDo() {
        // n = 5, k = 0.4 → 2 tokens: −(−5 − 3)/2 = 4
        assertEquals(4.0, MiaScores.minK(LOG_PROBS), 1e-12);
        // k = 0.5 → int(2.5) = 2 tokens: (5 + 3)/2 (not ⌈2.5⌉ = 3: (5 + 3 + 0.3)/3)
        assertEquals(4.0, MiaScores.minK(LOG_PROBS, 0.5), 1e-12);
        // n = 4, k = 0.4 → int(1.6) = 1 token: MUSE's Min-40% of a four-token text is its lowest log-prob
        assertEquals(5.0, MiaScores.minK(new double[] {-0.1, -5.0, -0.2, -3.0}), 1e-12);
        // n = 2, k = 0.4 → int(0.8) = 0: MUSE's mean of nothing is NaN; here the lowest token
        assertEquals(5.0, MiaScores.minK(new double[] {-0.1, -5.0}), 1e-12);
        // k = 0.01 → at least one token
        assertEquals(5.0, MiaScores.minK(LOG_PROBS, 0.01), 1e-12);
        assertEquals(MiaScores.loss(LOG_PROBS), MiaScores.minK(LOG_PROBS, 1.0), 1e-12);
    }

    @Test
    void minKKeepsExactlyKnTokensDespiteRounding() {
        // 0.28 * 25 = 7.000000000000001 in doubles; 7 tokens, not 8: lowest 7 of −1..−25 are −25..−19, mean 22
        double[] lp = new double[25];
        for (int i = 0; i < 25; i++) {
            lp[i] = -(i + 1);
        }
        assertEquals(7.000000000000001, 0.28 * 25, 0);
        assertEquals(22.0, MiaScores.minK(lp, 0.28), 1e-12);
    }

    @Test
    void momentsOfAThreeWordDistribution() {
        // p = (1/2, 1/4, 1/4): μ = ½(−ln2) + ½(−2 ln2) = −1.5 ln2; E[(log p)²] = ½ ln²2 + ½·4 ln²2 = 2.5 ln²2;
        // σ² = (2.5 − 2.25) ln²2 → σ = 0.5 ln2
        double ln2 = Math.log(2);
        VocabMoments m = MiaScores.moments(new double[] {-ln2, -2 * ln2, -2 * ln2, Double.NEGATIVE_INFINITY});
        assertEquals(-1.5 * ln2, m.mean(), 1e-12);
        assertEquals(0.5 * ln2, m.std(), 1e-12);
    }

    @Test
    void minKPlusPlusStandardisesEachToken() {
        // same distribution at both positions; token 1 has p = 1/2 → z = (−1 + 1.5)/0.5 = 1, token 2 p = 1/4 → z = −1
        double ln2 = Math.log(2);
        double[] lp = {-ln2, -2 * ln2};
        double[] mu = {-1.5 * ln2, -1.5 * ln2};
        double[] sigma = {0.5 * ln2, 0.5 * ln2};
        assertEquals(1.0, MiaScores.minKPlusPlus(lp, mu, sigma, 0.5), 1e-12);
        assertEquals(0.0, MiaScores.minKPlusPlus(lp, mu, sigma, 1.0), 1e-12);
        assertEquals(1.0, MiaScores.minKPlusPlus(lp, mu, sigma), 1e-12); // k = 0.4 → 1 token
    }

    @Test
    void rejectsEmptyInputsAndBadK() {
        assertThrows(IllegalArgumentException.class, () -> MiaScores.loss(new double[0]));
        assertThrows(IllegalArgumentException.class, () -> MiaScores.minK(LOG_PROBS, 0));
        assertThrows(IllegalArgumentException.class,
                () -> MiaScores.minKPlusPlus(LOG_PROBS, new double[1], new double[1]));
    }

    @Test
    void gradNormIsTheMeanOfThePerTensorNormsNotOneGlobalNorm() {
        // three tensors with gradient norms 3, 4 and 0.5: mean 2.5 (a global norm would be sqrt(9 + 16 + 0.25) = 5.02)
        assertEquals(2.5, MiaScores.gradNorm(new double[] {3, 4, 0.5}), 1e-15);
        assertThrows(IllegalArgumentException.class, () -> MiaScores.gradNorm(new double[0]));
    }

    @Test
    void referenceScoreIsTheLossDifferenceTheLogOfTheLikelihoodRatio() {
        // target avgNLL 0.4 (P~ = e^-0.4), reference 1.9 (P~ = e^-1.9): 0.4 - 1.9 = -1.5 = -log(e^-0.4 / e^-1.9)
        assertEquals(-1.5, MiaScores.reference(0.4, 1.9), 1e-12);
        assertEquals(-Math.log(Math.exp(-0.4) / Math.exp(-1.9)), MiaScores.reference(0.4, 1.9), 1e-12);
        assertEquals(0.0, MiaScores.reference(1.25, 1.25), 0.0, "the reference against itself");
    }
}
