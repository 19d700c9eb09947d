package dev.lethe.run;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

/**
 * The datamodel regression of Attribute-to-Delete ({@link Datamodel}) against independent solves in
 * bench/python-env.sh's venv (numpy 2.4.6, scikit-learn 1.6.1), on a design of 9 subset models × 4 examples
 * drawn once with {@code np.random.default_rng(7)} and printed: ordinary least squares by
 * {@code np.linalg.lstsq(np.hstack([np.ones((9, 1)), X]), Y)}, ridge by
 * {@code sklearn.linear_model.Ridge(alpha=0.5, fit_intercept=True, solver='cholesky').fit(X, Y)}
 * (intercept_, coef_.T).
 */
class DatamodelTest {
    private static final double[][] X = {
        {1, 0, 0, 1}, {0, 0, 1, 0}, {1, 1, 1, 1}, {0, 1, 0, 0}, {1, 0, 0, 0}, {1, 1, 0, 1}, {0, 0, 1, 0}, {0, 0, 1, 1},
        {1, 1, 0, 1}};
    private static final double[][] Y = {
        {-0.808, -0.033, 0.884}, {-0.584, -0.112, 0.11}, {0.064, -1.225, 0.076}, {1.359, -1.547, 0.859},
        {0.119, -0.641, 2.0}, {0.762, -1.199, 0.075}, {0.577, -0.189, 0.683}, {-0.067, 0.667, 1.439},
        {-0.676, 0.203, -0.463}};
    private static final double[][] OLS = {
        {0.40952631578947385, -0.1650000000000006, 1.4385263157894737},
        {-0.5545000000000002, -0.4929999999999997, -0.11099999999999899},
        {0.8286578947368424, -1.0819999999999992, -0.9698421052631577},
        {-0.22063157894736887, -0.1269999999999991, -0.5106315789473681},
        {-0.5198684210526314, 0.941999999999999, -0.1613684210526317}};
    private static final double[][] RIDGE = {
        {0.3452816326530613, -0.3186122448979591, 1.2513510204081633},
        {-0.4126890756302523, -0.24042016806722707, -0.053563025210083985},
        {0.6241944777911166, -0.8012821128451382, -0.7433637454981993},
        {-0.1671327731092437, 0.06126050420168052, -0.33011092436974776},
        {-0.4252672268907563, 0.5907394957983195, -0.20748907563025207}};

    @Test
    void leastSquaresMatchesNumpyLstsq() {
        double[][] fit = Datamodel.fit(X, Y, 0);
        for (int r = 0; r < OLS.length; r++) {
            assertArrayEquals(OLS[r], fit[r], 1e-9, "row " + r);
        }
    }

    @Test
    void ridgeMatchesScikitLearn() {
        double[][] fit = Datamodel.fit(X, Y, 0.5);
        for (int r = 0; r < RIDGE.length; r++) {
            assertArrayEquals(RIDGE[r], fit[r], 1e-9, "row " + r);
        }
    }

    @Test
    void forgetWeightsGiveTheSumOfTheForgetCoefficients() {
        boolean[] forget = {true, false, true, true};
        for (double ridge : new double[] {0, 0.5}) {
            double[][] fit = Datamodel.fit(X, Y, ridge);
            double[] w = Datamodel.forgetWeights(X, forget, ridge);
            double sumW = 0;
            for (double v : w) {
                sumW += v;
            }
            assertEquals(0, sumW, 1e-12, "the weights of a centred design sum to 0");
            for (int j = 0; j < 3; j++) {
                double viaW = 0;
                for (int n = 0; n < X.length; n++) {
                    viaW += w[n] * Y[n][j];
                }
                assertEquals(fit[1][j] + fit[3][j] + fit[4][j], viaW, 1e-12, "output " + j + ", ridge " + ridge);
            }
        }
    }

    @Test
    void aSingularDesignIsRefusedWithAdviceAndRidgeFixesIt() {
        double[][] constant = {{1, 0}, {1, 1}, {1, 0}};
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Datamodel.fit(constant, new double[][] {{1}, {2}, {3}}, 0));
        assertEquals(true, e.getMessage().contains("ridge > 0"), e.getMessage());
        // the constant column gets β = 0 under ridge (its centred values are all 0)
        assertEquals(0, Datamodel.fit(constant, new double[][] {{1}, {2}, {3}}, 0.1)[1][0], 0);
    }
}
