package dev.lethe.attack;

import static dev.lethe.part.ParamTypes.real;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.index.NDIndex;
import dev.lethe.model.CausalLm;
import dev.lethe.model.Weights;
import dev.lethe.part.Kind;
import dev.lethe.part.Param;
import dev.lethe.part.ParamTypes.Range;
import java.util.Arrays;
import java.util.List;

/**
 * Unstructured magnitude pruning, per matrix: in every weight matrix (embeddings included), the
 * {@code floor(sparsity · n)} entries of smallest {@code |W|} are set to zero (Han et al. 2015,
 * "Learning both Weights and Connections for Efficient Neural Networks"). Per matrix, not with one global
 * threshold, so that no matrix is emptied because its weights are small overall. Among equal magnitudes at the
 * threshold the earlier entries (row-major order) go first, so exactly that many are zeroed. Biases and
 * layer norms are left as they are. A robustness probe for unlearning in the spirit of Zhang et al. 2024
 * (compression as an attack).
 *
 * @param sparsity the fraction of each matrix to zero, in [0, 1]
 */
public record Prune(double sparsity) implements ModelAttack {
    /** The attack {@code prune}. */
    public static final Kind<Prune> KIND = Kind.of("prune", Prune.class, "magnitude pruning of each matrix",
            List.of(Param.required("sparsity", real(Range.closed(0, 1)), "fraction zeroed", Prune::sparsity)),
            a -> new Prune(a.real("sparsity")));

    /** Checks the fraction. */
    public Prune {
        if (!(sparsity >= 0 && sparsity <= 1)) {
            throw new IllegalArgumentException("sparsity must be in [0, 1], was " + sparsity);
        }
    }

    /** {@code prune<percent>}, e.g. {@code prune50}. */
    @Override
    public String name() {
        return "prune" + Math.round(sparsity * 100);
    }

    @Override
    public void attackWeights(CausalLm copy, AttackContext context) {
        inPlace(copy.weights(), sparsity);
    }

    /** Prunes every matrix of {@code weights} in place. */
    public static void inPlace(Weights weights, double sparsity) {
        weights.forEach((name, w) -> {
            if (Weights.isBiasOrNorm(name, w)) {
                return;
            }
            float[] pruned = pruned(w.toFloatArray(), sparsity);
            try (NDScope scope = new NDScope()) {
                NDArray p = w.getManager().create(pruned, w.getShape());
                w.set(new NDIndex(":"), p);
                p.close();
            }
        });
    }

    /** A copy of {@code values} with the {@code floor(sparsity · n)} smallest magnitudes set to zero. */
    public static float[] pruned(float[] values, double sparsity) {
        int n = values.length;
        int k = (int) Math.floor(sparsity * n);
        float[] out = values.clone();
        if (k == 0) {
            return out;
        }
        float[] magnitudes = new float[n];
        for (int i = 0; i < n; i++) {
            magnitudes[i] = Math.abs(values[i]);
        }
        float[] sorted = magnitudes.clone();
        Arrays.sort(sorted);
        float threshold = sorted[k - 1];
        int below = 0;
        for (float m : magnitudes) {
            if (m < threshold) {
                below++;
            }
        }
        int tiesToZero = k - below;
        for (int i = 0; i < n; i++) {
            if (magnitudes[i] < threshold) {
                out[i] = 0f;
            } else if (magnitudes[i] == threshold && tiesToZero > 0) {
                out[i] = 0f;
                tiesToZero--;
            }
        }
        return out;
    }
}
