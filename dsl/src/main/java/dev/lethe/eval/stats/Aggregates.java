package dev.lethe.eval.stats;

/** Reductions of several metrics into one benchmark number. */
public final class Aggregates {
    private Aggregates() {}

    /**
     * Harmonic mean n / Σ 1/x_i, TOFU's model utility over {retain, world} × {probability, ROUGE-L recall,
     * truth ratio} (Maini et al., 2024). 0 if any value is 0 (the limit, as {@code scipy.stats.hmean} returns).
     *
     * @throws IllegalArgumentException if there are no values or one is negative or NaN
     */
    public static double harmonicMean(double... values) {
        if (values.length == 0) {
            throw new IllegalArgumentException("harmonic mean of no values");
        }
        double inverse = 0;
        for (double v : values) {
            if (!(v >= 0)) {
                throw new IllegalArgumentException("harmonic mean needs non-negative values, got " + v);
            }
            if (v == 0) {
                return 0;
            }
            inverse += 1 / v;
        }
        return values.length / inverse;
    }

    /**
     * MUSE's PrivLeak (Shi et al., 2024, "MUSE: machine unlearning six-way evaluation for language models"):
     * (AUC_unlearned − AUC_retrained) / AUC_retrained × 100, the AUCs of a membership-inference attack (Min-K%)
     * separating forget from holdout texts, oriented as muse_bench's {@code forget_holdout_Min-40%}: holdout is the
     * positive class, so a model that still holds the forget set has AUC ≈ 0 and scores ≈ −100 against a
     * retrained model at 0.5. 0 is ideal; negative means under-, positive over-unlearning.
     */
    public static double privLeak(double aucUnlearned, double aucRetrained) {
        return (aucUnlearned - aucRetrained) / aucRetrained * 100;
    }
}
