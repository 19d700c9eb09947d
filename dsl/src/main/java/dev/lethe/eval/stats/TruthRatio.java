package dev.lethe.eval.stats;

/**
 * TOFU's truth ratio (Maini et al., 2024, "TOFU: a task of fictitious unlearning for LLMs", §2.5), from
 * length-normalised answer probabilities P̃(a | q) = exp(−avgNLL(a | q)):
 *
 * <p>R = P̃(perturbed) / P̃(paraphrased), where with several perturbed answers P̃(perturbed) is the geometric
 * mean of their P̃ (so R = exp(avgNLL_paraphrased − mean_i avgNLL_perturbed,i)). A model that knows the fact gives
 * a small R. Set-level reductions follow Lethe's FORMULAS.md: forget set mean(min(R, 1/R)); retain and world sets
 * mean(max(0, 1 − R)).
 */
public final class TruthRatio {
    private TruthRatio() {}

    /** P̃ = exp(−avgNLL), the length-normalised probability of an answer. */
    public static double probability(double avgNll) {
        return Math.exp(-avgNll);
    }

    /**
     * R for one question.
     *
     * @param perturbedAvgNll avgNLL of each perturbed (wrong) answer, at least one
     * @param paraphrasedAvgNll avgNLL of the paraphrased correct answer
     */
    public static double ratio(double[] perturbedAvgNll, double paraphrasedAvgNll) {
        if (perturbedAvgNll.length == 0) {
            throw new IllegalArgumentException("need at least one perturbed answer");
        }
        double mean = 0;
        for (double nll : perturbedAvgNll) {
            mean += nll;
        }
        mean /= perturbedAvgNll.length;
        return Math.exp(paraphrasedAvgNll - mean);
    }

    /** Forget-set truth ratio: mean over questions of min(R, 1/R), in (0, 1]; 1 is ideal after unlearning. */
    public static double forgetScore(double[] ratios) {
        requireRatios(ratios);
        double sum = 0;
        for (double r : ratios) {
            sum += Math.min(r, 1 / r);
        }
        return sum / ratios.length;
    }

    /** Retain/world truth ratio: mean over questions of max(0, 1 − R); higher means the fact is kept. */
    public static double retainScore(double[] ratios) {
        requireRatios(ratios);
        double sum = 0;
        for (double r : ratios) {
            sum += Math.max(0, 1 - r);
        }
        return sum / ratios.length;
    }

    private static void requireRatios(double[] ratios) {
        if (ratios.length == 0) {
            throw new IllegalArgumentException("need at least one truth ratio");
        }
    }
}
