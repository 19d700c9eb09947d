package dev.lethe.optim;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import dev.lethe.model.Scalars;
import dev.lethe.model.Weights;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The quadratic of {@link OptimizerTest}, L(θ) = ½‖W − C‖² + ½‖b − d‖² (gradient θ − target, Hessian I),
 * with an oracle that counts its calls; optionally the weights do not require gradients, and then asking
 * for gradients fails the test.
 */
final class Quadratic implements AutoCloseable {
    static final float[] W0 = {1, -2, 3, 0.5f};
    static final float[] B0 = {0.3f, -0.7f};
    static final float[] C = {0, 1, -1, 2};
    static final float[] D = {0.1f, 0.2f};

    final NDManager manager = NDManager.newBaseManager();
    final Weights weights;
    private final NDArray targetW;
    private final NDArray targetB;
    int lossCalls;
    int gradientCalls;

    Quadratic(boolean requiresGradient) {
        NDArray w = manager.create(W0, new Shape(2, 2)).duplicate();
        NDArray b = manager.create(B0).duplicate();
        w.setRequiresGradient(requiresGradient);
        b.setRequiresGradient(requiresGradient);
        Map<String, NDArray> m = new LinkedHashMap<>();
        m.put("w", w);
        m.put("b", b);
        weights = Weights.of(m);
        targetW = manager.create(C, new Shape(2, 2));
        targetB = manager.create(D);
    }

    LossOracle oracle() {
        return new LossOracle() {
            @Override
            public NDArray loss() {
                lossCalls++;
                return value();
            }

            @Override
            public Evaluation lossAndGradients() {
                gradientCalls++;
                if (!weights.get("w").hasGradient()) {
                    throw new AssertionError("gradients asked of weights that do not require them");
                }
                weights.zeroGradients();
                NDArray loss;
                try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                    loss = value();
                    gc.backward(loss);
                }
                Map<String, NDArray> g = new LinkedHashMap<>();
                weights.forEach((n, a) -> g.put(n, a.getGradient()));
                return new Evaluation(loss, new Updates(g));
            }
        };
    }

    private NDArray value() {
        NDArray dw = weights.get("w").sub(targetW);
        NDArray db = weights.get("b").sub(targetB);
        return Scalars.dividedBy(dw.square().sum().add(db.square().sum()), 2);
    }

    /** The loss at the current weights, read back. */
    double loss() {
        try (NDScope scope = new NDScope()) {
            return value().getFloat();
        }
    }

    /** All weights, flattened in order (w then b). */
    float[] flat() {
        float[] w = weights.get("w").toFloatArray();
        float[] b = weights.get("b").toFloatArray();
        float[] out = new float[w.length + b.length];
        System.arraycopy(w, 0, out, 0, w.length);
        System.arraycopy(b, 0, out, w.length, b.length);
        return out;
    }

    /** The true gradient θ − target, flattened, at the current weights. */
    float[] gradient() {
        float[] theta = flat();
        float[] out = new float[theta.length];
        for (int i = 0; i < theta.length; i++) {
            out[i] = theta[i] - (i < 4 ? C[i] : D[i - 4]);
        }
        return out;
    }

    /** Runs {@code steps} steps of {@code optimizer}, each in its own scope; returns the final loss. */
    double run(Optimizer optimizer, int steps) {
        try (Optimizer.State state = optimizer.init(weights, manager)) {
            for (int s = 0; s < steps; s++) {
                try (NDScope scope = new NDScope()) {
                    optimizer.step(oracle(), weights, state, s, steps, 1000 + s);
                }
            }
        }
        return loss();
    }

    static float[] flat(Updates u) {
        float[] w = u.get("w").toFloatArray();
        float[] b = u.get("b").toFloatArray();
        float[] out = new float[w.length + b.length];
        System.arraycopy(w, 0, out, 0, w.length);
        System.arraycopy(b, 0, out, w.length, b.length);
        return out;
    }

    static double maxAbsDiff(float[] a, float[] b) {
        double m = 0;
        for (int i = 0; i < a.length; i++) {
            m = Math.max(m, Math.abs((double) a[i] - b[i]));
        }
        return m;
    }

    static double cosine(double[] a, float[] b) {
        double dot = 0;
        double na = 0;
        double nb = 0;
        for (int i = 0; i < a.length; i++) {
            dot += a[i] * b[i];
            na += a[i] * a[i];
            nb += (double) b[i] * b[i];
        }
        return dot / Math.sqrt(na * nb);
    }

    @Override
    public void close() {
        manager.close();
    }
}
