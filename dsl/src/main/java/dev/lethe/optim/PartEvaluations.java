package dev.lethe.optim;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.index.NDIndex;
import dev.lethe.model.Weights;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * The {@link GradientCombiner.Parts} of one optimisation step, over the model's weights and one
 * {@link LossOracle} per named part. Each gradient is one backward pass of its part alone (only one
 * {@code GradientCollector} may be open at a time), copied before the next pass overwrites the gradient
 * buffers. Gradients at θ are cached; {@link #gradientAt} saves the shifted weights, moves them, and writes
 * the saved values back, so θ comes back bit for bit. Lives in the step's {@code NDScope}.
 */
public final class PartEvaluations implements GradientCombiner.Parts {
    private final Weights weights;
    private final long step;
    private final Map<String, LossOracle> parts;
    private final Map<String, Updates> gradients = new LinkedHashMap<>();
    private final Map<String, NDArray> losses = new LinkedHashMap<>();

    /**
     * @param weights the weights the parts' oracles differentiate and {@link #gradientAt} moves
     * @param step the optimisation step number, from 0
     * @param parts name → oracle of that part alone, in declaration order
     */
    public PartEvaluations(Weights weights, long step, Map<String, LossOracle> parts) {
        if (parts.isEmpty()) {
            throw new IllegalArgumentException("a combined objective needs at least one part");
        }
        this.weights = weights;
        this.step = step;
        this.parts = Collections.unmodifiableMap(new LinkedHashMap<>(parts));
    }

    @Override
    public Set<String> names() {
        return parts.keySet();
    }

    @Override
    public long step() {
        return step;
    }

    @Override
    public Updates gradient(String part) {
        @Nullable Updates cached = gradients.get(part);
        if (cached != null) {
            return cached;
        }
        LossOracle.Evaluation e = oracle(part).lossAndGradients();
        Updates copy = copy(e.gradients());
        gradients.put(part, copy);
        losses.put(part, e.loss());
        return copy;
    }

    @Override
    public Updates gradientAt(String part, Updates shift) {
        LossOracle oracle = oracle(part);
        Map<String, NDArray> saved = new LinkedHashMap<>();
        try {
            shift.asMap().forEach((name, s) -> {
                NDArray w = weights.get(name);
                saved.put(name, w.duplicate());
                w.addi(s);
            });
            return copy(oracle.lossAndGradients().gradients());
        } finally {
            NDIndex all = new NDIndex("...");
            saved.forEach((name, original) -> {
                weights.get(name).set(all, original);
                original.close();
            });
        }
    }

    /**
     * Σ_k L_k(θ), the summed loss at the current weights: the losses of the parts whose gradient was taken,
     * and for the others a forward pass without a graph.
     */
    public NDArray totalLoss() {
        @Nullable NDArray total = null;
        for (Map.Entry<String, LossOracle> e : parts.entrySet()) {
            NDArray loss = losses.containsKey(e.getKey()) ? losses.get(e.getKey()) : e.getValue().loss();
            total = total == null ? loss : total.add(loss);
        }
        return Objects.requireNonNull(total);
    }

    private LossOracle oracle(String part) {
        @Nullable LossOracle o = parts.get(part);
        if (o == null) {
            throw new IllegalArgumentException("no part named '" + part + "'; the objective has " + parts.keySet());
        }
        return o;
    }

    /** Copies that the next backward pass cannot overwrite (gradients alias the model's gradient buffers). */
    private static Updates copy(Updates gradients) {
        return gradients.map((name, g) -> g.duplicate());
    }
}
