package dev.lethe.objective;

import ai.djl.ndarray.NDArray;
import java.util.Map;

/**
 * The adversary of {@link ConceptCorrection}: a classifier D(x) = σ(s(x)) of pooled representations, anchor
 * (label 1) against forget (label 0), trained in Java doubles on its closed-form gradient (DJL allows no
 * nested {@code GradientCollector}, and the generator's collector is open while it trains), and scored with
 * autograd for the generator loss. Each implementation minimises the class-balanced log-loss with an L2 penalty
 * λ on its weights (not its biases),
 * <pre>
 *   J = ½·mean_i softplus(−s(a_i)) + ½·mean_j softplus(s(f_j)) + (λ/2)·‖weights‖²
 * </pre>
 * by plain gradient descent, one step per {@link #update}. Sized by the first features it sees. Not thread-safe.
 */
public sealed interface Discriminator permits LogisticDiscriminator, MlpDiscriminator {
    /** One gradient-descent step on J with anchor features {@code anchor} (label 1) and {@code forget} (label 0). */
    void update(double[][] anchor, double[][] forget);

    /** The logit s(x); 0 before the first update. */
    double logit(double[] x);

    /**
     * mean_j softplus(−s(f_j)) for features {@code features} (B, W) with their graph and this discriminator held
     * fixed: the generator's loss, the log-loss of the forget features labelled "anchor".
     */
    NDArray generatorLoss(NDArray features);

    /** The discriminator's parameters by name, for a checkpoint (empty vectors before the first update). */
    Map<String, double[]> state();

    /**
     * Sets the parameters to {@code state}, as {@link #state()} returned them.
     *
     * @throws IllegalArgumentException when {@code state} does not fit this discriminator
     */
    void restore(Map<String, double[]> state);

    /** Back to the unsized starting state. */
    void reset();

    /** The fraction of rows classified right (s &gt; 0 for anchors, s &lt; 0 for forget rows), balanced by class. */
    default double accuracy(double[][] anchor, double[][] forget) {
        double a = 0;
        for (double[] x : anchor) {
            a += logit(x) > 0 ? 1 : 0;
        }
        double f = 0;
        for (double[] x : forget) {
            f += logit(x) < 0 ? 1 : 0;
        }
        return (a / anchor.length + f / forget.length) / 2;
    }

    /** σ(s), computed without overflow. */
    static double sigmoid(double s) {
        return s >= 0 ? 1 / (1 + Math.exp(-s)) : Math.exp(s) / (1 + Math.exp(s));
    }

    /** Checks a learning rate η &gt; 0 and a weight decay λ ≥ 0. */
    static void check(double learningRate, double weightDecay) {
        if (!(learningRate > 0) || !Double.isFinite(learningRate)) {
            throw new IllegalArgumentException("discriminator learning rate must be finite and > 0, was "
                    + learningRate);
        }
        if (!(weightDecay >= 0) || !Double.isFinite(weightDecay)) {
            throw new IllegalArgumentException("discriminator weight decay must be finite and >= 0, was "
                    + weightDecay);
        }
    }

    /** Checks that both classes have rows. */
    static void checkRows(double[][] anchor, double[][] forget) {
        if (anchor.length == 0 || forget.length == 0) {
            throw new IllegalArgumentException("the discriminator needs anchor and forget features, got "
                    + anchor.length + " and " + forget.length + " rows");
        }
    }
}
