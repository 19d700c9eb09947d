package dev.lethe.objective;

import ai.djl.ndarray.NDArray;
import java.util.Map;

/**
 * A logistic-regression discriminator D(x) = σ(w·x + b) trained by plain gradient descent on its
 * closed-form gradient, in Java doubles: the default adversary of {@link ConceptCorrection}. Label 1 is the
 * anchor class, 0 the forget class. One update minimises the class-balanced log-loss with an L2 penalty,
 * <pre>
 *   J(w, b) = ½·mean_i softplus(−(w·a_i + b)) + ½·mean_j softplus(w·f_j + b) + (λ/2)·‖w‖²
 *   ∇_w J  = ½·mean_i (σ(s_i) − 1)·a_i + ½·mean_j σ(s_j)·f_j + λ·w,   ∇_b J = ½·mean_i (σ(s_i) − 1) + ½·mean_j σ(s_j)
 * </pre>
 * (s = w·x + b), by (w, b) ← (w, b) − η·∇J. No autograd is involved, so it can be trained inside the
 * generator's {@code GradientCollector} (DJL allows no nested collector), and its state is two Java values
 * with no native memory to close. Starts at w = 0, b = 0, so it is deterministic without a seed. Sized by
 * the first features it sees. Not thread-safe.
 */
public final class LogisticDiscriminator implements Discriminator {
    private final double learningRate;
    private final double weightDecay;
    private double[] w = new double[0];
    private double b;

    /**
     * @param learningRate η &gt; 0
     * @param weightDecay λ ≥ 0
     */
    public LogisticDiscriminator(double learningRate, double weightDecay) {
        Discriminator.check(learningRate, weightDecay);
        this.learningRate = learningRate;
        this.weightDecay = weightDecay;
    }

    @Override
    public void update(double[][] anchor, double[][] forget) {
        Discriminator.checkRows(anchor, forget);
        int width = anchor[0].length;
        if (w.length == 0) {
            w = new double[width];
        }
        double[] gw = new double[w.length];
        double gb = 0;
        gb += accumulate(anchor, 1, gw);
        gb += accumulate(forget, 0, gw);
        for (int d = 0; d < w.length; d++) {
            w[d] -= learningRate * (gw[d] + weightDecay * w[d]);
        }
        b -= learningRate * gb;
    }

    /** Adds ½·mean (σ(s) − label)·x to {@code gw}; returns ½·mean (σ(s) − label). */
    private double accumulate(double[][] rows, double label, double[] gw) {
        double gb = 0;
        for (double[] x : rows) {
            if (x.length != w.length) {
                throw new IllegalArgumentException("features of width " + x.length + ", the discriminator has "
                        + w.length);
            }
            double r = (Discriminator.sigmoid(logit(x)) - label) / (2.0 * rows.length);
            for (int d = 0; d < w.length; d++) {
                gw[d] += r * x[d];
            }
            gb += r;
        }
        return gb;
    }

    /** s = w·x + b; 0 before the first update. */
    @Override
    public double logit(double[] x) {
        if (w.length == 0) {
            return b;
        }
        double s = b;
        for (int d = 0; d < w.length; d++) {
            s += w[d] * x[d];
        }
        return s;
    }

    /** {@link ConceptCorrection#generatorLoss(NDArray, double[], double)} with this w and b. */
    @Override
    public NDArray generatorLoss(NDArray features) {
        return ConceptCorrection.generatorLoss(features, w, b);
    }

    /** {@code w} and {@code b} (one value). */
    @Override
    public Map<String, double[]> state() {
        return Map.of("w", weights(), "b", new double[] {b});
    }

    @Override
    public void restore(Map<String, double[]> state) {
        double[] weights = state.get("w");
        double[] bias = state.get("b");
        if (state.size() != 2 || weights == null || bias == null || bias.length != 1) {
            throw new IllegalArgumentException("a logistic discriminator's state needs w and b (one value), got "
                    + state.keySet());
        }
        set(weights, bias[0]);
    }

    /** A copy of w (empty before the first update). */
    public double[] weights() {
        return w.clone();
    }

    /** b. */
    public double bias() {
        return b;
    }

    /** Sets w (a copy of {@code weights}; empty for unsized) and b, e.g. from a checkpoint. */
    public void set(double[] weights, double bias) {
        w = weights.clone();
        b = bias;
    }

    /** Back to w = 0 (unsized), b = 0. */
    @Override
    public void reset() {
        w = new double[0];
        b = 0;
    }
}
