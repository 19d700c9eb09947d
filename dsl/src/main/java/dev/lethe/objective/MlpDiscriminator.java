package dev.lethe.objective;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import dev.lethe.model.Scalars;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * A small MLP discriminator, one hidden layer: s(x) = w₂·φ(W₁x + b₁) + b₂ with φ the leaky ReLU of slope
 * {@value #SLOPE} (the GAN discriminators' activation, e.g. the PatchGAN that DoCo's reference code offers), H
 * hidden units; D(x) = σ(s(x)). It minimises the {@link Discriminator}'s class-balanced log-loss J with the L2
 * penalty on W₁ and w₂ by plain gradient descent on the backpropagated gradient, computed in Java doubles: with
 * r = ∂J/∂s of a row (½·(σ(s) − 1)/n_a for an anchor, ½·σ(s)/n_f for a forget row), z = W₁x + b₁,
 * <pre>
 *   ∂J/∂w₂ += r·φ(z),  ∂J/∂b₂ += r,  ∂J/∂z_k = r·w₂_k·φ'(z_k),
 *   ∂J/∂W₁[k][d] += ∂J/∂z_k·x_d,  ∂J/∂b₁[k] += ∂J/∂z_k
 * </pre>
 * plus λ·W₁ and λ·w₂. Initialised when it first sees features of width W, as PyTorch's {@code nn.Linear}:
 * every entry uniform in ±1/√(fan-in) (W for W₁ and b₁, H for w₂ and b₂), drawn from a
 * {@link SplittableRandom} seeded with {@code seed}, so a run is deterministic. Not thread-safe.
 */
public final class MlpDiscriminator implements Discriminator {
    /** The leaky ReLU's slope for negative inputs. */
    public static final double SLOPE = 0.2;

    private final int hidden;
    private final double learningRate;
    private final double weightDecay;
    private final long seed;
    private double[] w1 = new double[0];
    private double[] b1 = new double[0];
    private double[] w2 = new double[0];
    private double b2;
    private int width;

    /**
     * @param hidden H ≥ 1 hidden units
     * @param learningRate η &gt; 0
     * @param weightDecay λ ≥ 0
     * @param seed the seed of the initial weights
     */
    public MlpDiscriminator(int hidden, double learningRate, double weightDecay, long seed) {
        if (hidden < 1) {
            throw new IllegalArgumentException("an MLP discriminator needs >= 1 hidden unit, was " + hidden);
        }
        Discriminator.check(learningRate, weightDecay);
        this.hidden = hidden;
        this.learningRate = learningRate;
        this.weightDecay = weightDecay;
        this.seed = seed;
    }

    private void initialise(int w) {
        width = w;
        SplittableRandom random = new SplittableRandom(seed);
        double inBound = 1 / Math.sqrt(w);
        double hiddenBound = 1 / Math.sqrt(hidden);
        w1 = new double[hidden * w];
        b1 = new double[hidden];
        w2 = new double[hidden];
        for (int i = 0; i < w1.length; i++) {
            w1[i] = random.nextDouble(-inBound, inBound);
        }
        for (int k = 0; k < hidden; k++) {
            b1[k] = random.nextDouble(-inBound, inBound);
        }
        for (int k = 0; k < hidden; k++) {
            w2[k] = random.nextDouble(-hiddenBound, hiddenBound);
        }
        b2 = random.nextDouble(-hiddenBound, hiddenBound);
    }

    @Override
    public void update(double[][] anchor, double[][] forget) {
        Discriminator.checkRows(anchor, forget);
        if (w1.length == 0) {
            initialise(anchor[0].length);
        }
        double[] gw1 = new double[w1.length];
        double[] gb1 = new double[hidden];
        double[] gw2 = new double[hidden];
        double[] gb2 = new double[1];
        accumulate(anchor, 1, gw1, gb1, gw2, gb2);
        accumulate(forget, 0, gw1, gb1, gw2, gb2);
        for (int i = 0; i < w1.length; i++) {
            w1[i] -= learningRate * (gw1[i] + weightDecay * w1[i]);
        }
        for (int k = 0; k < hidden; k++) {
            b1[k] -= learningRate * gb1[k];
            w2[k] -= learningRate * (gw2[k] + weightDecay * w2[k]);
        }
        b2 -= learningRate * gb2[0];
    }

    private void accumulate(double[][] rows, double label, double[] gw1, double[] gb1, double[] gw2, double[] gb2) {
        for (double[] x : rows) {
            if (x.length != width) {
                throw new IllegalArgumentException("features of width " + x.length + ", the discriminator has "
                        + width);
            }
            double[] z = preActivation(x);
            double s = b2;
            for (int k = 0; k < hidden; k++) {
                s += w2[k] * phi(z[k]);
            }
            double r = (Discriminator.sigmoid(s) - label) / (2.0 * rows.length);
            gb2[0] += r;
            for (int k = 0; k < hidden; k++) {
                gw2[k] += r * phi(z[k]);
                double gz = r * w2[k] * (z[k] > 0 ? 1 : SLOPE);
                gb1[k] += gz;
                for (int d = 0; d < width; d++) {
                    gw1[k * width + d] += gz * x[d];
                }
            }
        }
    }

    private double[] preActivation(double[] x) {
        double[] z = new double[hidden];
        for (int k = 0; k < hidden; k++) {
            double v = b1[k];
            for (int d = 0; d < width; d++) {
                v += w1[k * width + d] * x[d];
            }
            z[k] = v;
        }
        return z;
    }

    private static double phi(double z) {
        return z > 0 ? z : SLOPE * z;
    }

    /** s(x); 0 before the first update. */
    @Override
    public double logit(double[] x) {
        if (w1.length == 0) {
            return 0;
        }
        double[] z = preActivation(x);
        double s = b2;
        for (int k = 0; k < hidden; k++) {
            s += w2[k] * phi(z[k]);
        }
        return s;
    }

    /** mean_j softplus(−s(f_j)), with the graph of {@code features} (B, W); log 2 before the first update. */
    @Override
    public NDArray generatorLoss(NDArray features) {
        if (w1.length == 0) {
            return ConceptCorrection.generatorLoss(features, new double[0], 0);
        }
        long w = features.getShape().get(1);
        if (w != width) {
            throw new IllegalArgumentException("discriminator of width " + width + " for features of width " + w);
        }
        NDArray first = constant(features, w1, new Shape(hidden, width)).transpose();
        NDArray z = features.matMul(first).add(constant(features, b1, new Shape(hidden)));
        NDArray h = z.maximum(Scalars.times(z, SLOPE)); // leaky ReLU with the slope in the array's precision
        NDArray s = h.matMul(constant(features, w2, new Shape(hidden, 1))).squeeze(1);
        return Activation.softPlus(Scalars.plus(s, b2).neg()).mean();
    }

    /** {@code values} as an array of {@code like}'s type and shape {@code shape}, in memory libtorch allocated. */
    private static NDArray constant(NDArray like, double[] values, Shape shape) {
        NDManager manager = like.getManager();
        NDArray fromJava = manager.create(values, shape);
        NDArray owned = fromJava.toType(like.getDataType(), true).duplicate();
        fromJava.close();
        return owned;
    }

    /** {@code w1} (H·W, row after row), {@code b1} (H), {@code w2} (H), {@code b2} (one value); empty unsized. */
    @Override
    public Map<String, double[]> state() {
        return Map.of("w1", w1.clone(), "b1", b1.clone(), "w2", w2.clone(), "b2", new double[] {b2});
    }

    @Override
    public void restore(Map<String, double[]> state) {
        double[] a = state.get("w1");
        double[] b = state.get("b1");
        double[] c = state.get("w2");
        double[] d = state.get("b2");
        boolean sized = a != null && a.length > 0;
        if (state.size() != 4 || a == null || b == null || c == null || d == null || d.length != 1
                || a.length % hidden != 0 || b.length != (sized ? hidden : 0) || c.length != (sized ? hidden : 0)) {
            throw new IllegalArgumentException("an MLP discriminator of " + hidden + " hidden units needs w1 (a "
                    + "multiple of " + hidden + " values), b1 and w2 (" + hidden + " each) and b2 (one value), got "
                    + state.keySet());
        }
        w1 = a.clone();
        b1 = b.clone();
        w2 = c.clone();
        b2 = d[0];
        width = a.length / hidden;
    }

    @Override
    public void reset() {
        w1 = new double[0];
        b1 = new double[0];
        w2 = new double[0];
        b2 = 0;
        width = 0;
    }
}
