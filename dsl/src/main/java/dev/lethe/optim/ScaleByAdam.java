package dev.lethe.optim;

import static dev.lethe.part.ParamTypes.real;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import dev.lethe.model.Scalars;
import dev.lethe.model.Weights;
import dev.lethe.part.Kind;
import dev.lethe.part.Param;
import dev.lethe.part.ParamTypes.Range;
import dev.lethe.part.PartText;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Adam's rescaling (Kingma &amp; Ba 2015, Algorithm 1): m ← β₁m + (1−β₁)g, v ← β₂v + (1−β₂)g²,
 * u = m̂ / (√v̂ + ε) with bias corrections m̂ = m/(1−β₁ᵗ), v̂ = v/(1−β₂ᵗ). Combine with
 * {@link AddDecayedWeights} and {@link ScaleByLearningRate} for AdamW.
 *
 * @param b1 β₁
 * @param b2 β₂
 * @param eps ε
 */
public record ScaleByAdam(double b1, double b2, double eps) implements Transform {
    /** The transform {@code scale_by_adam}, with Adam's β = (0.9, 0.999), ε = 1e-8. */
    public static final Kind<ScaleByAdam> KIND = Kind.of("scale_by_adam", ScaleByAdam.class,
            "Adam's moment scaling (Kingma & Ba 2015)",
            List.of(Param.of("b1", real(Range.closedOpen(0, 1)), 0.9, "β₁", ScaleByAdam::b1),
                    Param.of("b2", real(Range.closedOpen(0, 1)), 0.999, "β₂", ScaleByAdam::b2),
                    Param.of("eps", real(Range.nonNegative()), 1e-8, "ε", ScaleByAdam::eps)),
            a -> new ScaleByAdam(a.real("b1"), a.real("b2"), a.real("eps")));

    /** As a recipe file writes it ({@link PartText}). */
    @Override
    public String toString() {
        return PartText.of(this, List.of(KIND));
    }

    /**
     * Adam's first and second moments, one pair of arrays per parameter.
     *
     * @param first m
     * @param second v
     */
    public record Moments(Map<String, NDArray> first, Map<String, NDArray> second) implements TransformState {
        /** {@code m.<name>} and {@code v.<name>}. */
        @Override
        public Map<String, NDArray> arrays() {
            Map<String, NDArray> out = new LinkedHashMap<>();
            first.forEach((name, a) -> out.put("m." + name, a));
            second.forEach((name, a) -> out.put("v." + name, a));
            return out;
        }

        @Override
        public void restore(Map<String, NDArray> saved) {
            StateArrays.restore(arrays(), saved, "Adam's moments");
        }
    }

    @Override
    public TransformState init(Weights weights, NDManager manager) {
        Map<String, NDArray> m = new LinkedHashMap<>();
        Map<String, NDArray> v = new LinkedHashMap<>();
        weights.forEach((name, w) -> {
            NDArray a = manager.zeros(w.getShape(), w.getDataType());
            NDArray b = manager.zeros(w.getShape(), w.getDataType());
            NDScope.unregister(a, b);
            m.put(name, a);
            v.put(name, b);
        });
        return new Moments(m, v);
    }

    @Override
    public Updates update(Updates updates, TransformState state, Weights weights, long step, long totalSteps) {
        Moments moments = (Moments) state;
        long t = step + 1;
        double c1 = 1 - Math.pow(b1, t);
        double c2 = 1 - Math.pow(b2, t);
        // the step's seven constants as 0-dimensional arrays made once per type and device, not once per
        // parameter and operation (an array op with a Number wraps it in a new Java direct buffer each time);
        // the same float values, so the same results
        Map<String, NDArray[]> constants = new HashMap<>();
        try {
            return updates.map((name, g) -> {
                NDArray[] k = constants.computeIfAbsent(g.getDataType() + "@" + g.getDevice(), key -> new NDArray[] {
                    Scalars.scalar(g, (float) (1 - b1)), Scalars.scalar(g, (float) b1),
                    Scalars.scalar(g, (float) b2), Scalars.scalar(g, (float) (1 - b2)),
                    Scalars.scalar(g, (float) c2), Scalars.scalar(g, (float) eps), Scalars.scalar(g, (float) c1)});
                NDArray m = moments.first().get(name);
                NDArray v = moments.second().get(name);
                // temporaries are released at once, not at the end of the step: a step then holds one
                // parameter-sized array per parameter here instead of five
                try (NDArray scaled = g.mul(k[0])) {
                    m.muli(k[1]).addi(scaled);
                }
                try (NDArray squared = g.square()) {
                    v.muli(k[2]).addi(squared.muli(k[3]));
                }
                try (NDArray vHat = v.div(k[4]); NDArray root = vHat.sqrt()) {
                    return m.div(k[6]).divi(root.addi(k[5]));
                }
            });
        } finally {
            constants.values().forEach(k -> new NDList(k).close());
        }
    }
}
