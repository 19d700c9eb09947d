package dev.lethe.objective;

/**
 * A logistic-regression discriminator D(x) = σ(w·x + b) trained by plain gradient descent on its
 * closed-form gradient, in Java doubles: the adversary of {@link ConceptCorrection}. Label 1 is the anchor
 * class, 0 the forget class. One update minimises the class-balanced log-loss with an L2 penalty,
 * <pre>
 *   J(w, b) = ½·mean_i softplus(−(w·a_i + b)) + ½·mean_j softplus(w·f_j + b) + (λ/2)·‖w‖²
 *   ∇_w J  = ½·mean_i (σ(s_i) − 1)·a_i + ½·mean_j σ(s_j)·f_j + λ·w,   ∇_b J = ½·mean_i (σ(s_i) − 1) + ½·mean_j σ(s_j)
 * </pre>
 * (s = w·x + b), by (w, b) ← (w, b) − η·∇J. No autograd is involved, so it can be trained inside the
 * generator's {@code GradientCollector} (DJL allows no nested collector), and its state is two Java values
 * with no native memory to close. Starts at w = 0, b = 0, so it is deterministic without a seed. Sized by
 * the first features it sees. Not thread-safe.
 */
public final class LogisticDiscriminator {
    private final double learningRate;
    private final double weightDecay;
    private double[] w = new double[0];
    private double b;

    /**
     * @param learningRate η &gt; 0
     * @param weightDecay λ ≥ 0
     */
    public LogisticDiscriminator(double learningRate, double weightDecay) {
        if (!(learningRate > 0) || !Double.isFinite(learningRate)) {
            throw new IllegalArgumentException("discriminator learning rate must be finite and > 0, was "
                    + learningRate);
        }
        if (!(weightDecay >= 0) || !Double.isFinite(weightDecay)) {
            throw new IllegalArgumentException("discriminator weight decay must be finite and >= 0, was "
                    + weightDecay);
        }
        this.learningRate = learningRate;
        this.weightDecay = weightDecay;
    }

    /** One gradient-descent step on J with anchor features {@code anchor} (label 1) and {@code forget} (label 0). */
    public void update(double[][] anchor, double[][] forget) {
        if (anchor.length == 0 || forget.length == 0) {
            throw new IllegalArgumentException("the discriminator needs anchor and forget features, got "
                    + anchor.length + " and " + forget.length + " rows");
        }
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
            double r = (sigmoid(logit(x)) - label) / (2.0 * rows.length);
            for (int d = 0; d < w.length; d++) {
                gw[d] += r * x[d];
            }
            gb += r;
        }
        return gb;
    }

    /** s = w·x + b; 0 before the first update. */
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

    /** The fraction of rows classified right (s &gt; 0 for anchors, s &lt; 0 for forget rows), balanced by class. */
    public double accuracy(double[][] anchor, double[][] forget) {
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
    public void reset() {
        w = new double[0];
        b = 0;
    }

    private static double sigmoid(double s) {
        return s >= 0 ? 1 / (1 + Math.exp(-s)) : Math.exp(s) / (1 + Math.exp(s));
    }
}
