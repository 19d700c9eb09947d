package dev.lethe.optim;

import static dev.lethe.part.ParamTypes.real;

import ai.djl.ndarray.NDArray;
import dev.lethe.model.Scalars;
import dev.lethe.model.Weights;
import dev.lethe.part.Kind;
import dev.lethe.part.Param;
import dev.lethe.part.ParamTypes.Range;
import dev.lethe.part.PartText;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Decoupled weight decay (Loshchilov &amp; Hutter 2019, "Decoupled Weight Decay Regularization"):
 * u ← u + λ·θ for matrices and embeddings; biases and layer-norm parameters are not decayed.
 *
 * @param rate λ
 */
public record AddDecayedWeights(double rate) implements Transform {
    /** The transform {@code add_decayed_weights}. */
    public static final Kind<AddDecayedWeights> KIND = Kind.of("add_decayed_weights", AddDecayedWeights.class,
            "decoupled weight decay λθ (Loshchilov & Hutter 2019)",
            List.of(Param.of("rate", real(Range.nonNegative()), 0.01, "λ", AddDecayedWeights::rate)),
            a -> new AddDecayedWeights(a.real("rate")));

    /** As a recipe file writes it ({@link PartText}). */
    @Override
    public String toString() {
        return PartText.of(this, List.of(KIND));
    }

    @Override
    public Updates update(Updates updates, TransformState state, Weights weights, long step, long totalSteps) {
        if (rate == 0) {
            return updates;
        }
        // λ as one 0-dimensional array per type and device and step (the same float), not a Java-wrapped number
        // per parameter
        Map<String, NDArray> lambdas = new HashMap<>();
        try {
            return updates.map((name, u) -> {
                var w = weights.get(name);
                if (Weights.isBiasOrNorm(name, w)) {
                    return u;
                }
                NDArray lambda = lambdas.computeIfAbsent(w.getDataType() + "@" + w.getDevice(),
                        key -> Scalars.scalar(w, (float) rate));
                try (NDArray decay = w.mul(lambda)) {
                    return u.add(decay);
                }
            });
        } finally {
            lambdas.values().forEach(NDArray::close);
        }
    }
}
