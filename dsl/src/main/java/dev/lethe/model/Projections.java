package dev.lethe.model;

import ai.djl.ndarray.NDArray;
import ai.djl.nn.core.Linear;
import java.util.Map;

/**
 * The projections of one forward pass: {@code y = x·W + b} for a module whose weight is stored (in, out)
 * ({@link Architecture}'s convention), plus the module's low-rank update when an adapter view has one
 * ({@link LowRank}). One libtorch {@code linear} on a transposed view of W, no copy.
 *
 * @param weights the model's parameters
 * @param adapters low-rank updates by module name; empty for none
 */
public record Projections(Weights weights, Map<String, LowRank> adapters) {

    /** {@code x·W + b} (+ the low-rank update) of {@code module}, with a bias when {@code bias}. */
    public NDArray apply(NDArray x, String module, boolean bias) {
        NDArray wt = weights.get(module + ".weight").transpose();
        NDArray y = bias ? Linear.linear(x, wt, weights.get(module + ".bias")).singletonOrThrow()
                : Linear.linear(x, wt).singletonOrThrow();
        wt.close();
        if (adapters.isEmpty()) {
            return y;
        }
        LowRank update = adapters.get(module);
        if (update == null) {
            return y;
        }
        NDArray delta = update.apply(x);
        NDArray out = y.add(delta);
        y.close();
        delta.close();
        return out;
    }
}
