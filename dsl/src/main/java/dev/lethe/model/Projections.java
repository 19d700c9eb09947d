package dev.lethe.model;

import ai.djl.ndarray.NDArray;
import java.util.Map;

/**
 * The projections of one forward pass: {@code y = x·W + b} for a module whose weight is stored (in, out)
 * ({@link Architecture}'s convention), plus the module's low-rank update when an adapter view has one
 * ({@link LowRank}). One libtorch {@code matmul} on W as stored (a 3-D input is folded to rows inside it: one
 * {@code mm}, the GEMM {@code F.linear} and Hugging Face GPT-2's {@code Conv1D} run) and an in-place bias add:
 * two calls into libtorch, where DJL's {@code linear} would first transpose W and libtorch's C++ {@code linear}
 * transpose it back. The bias gradient is the same sum over rows either way.
 *
 * @param weights the model's parameters
 * @param adapters low-rank updates by module name; empty for none
 */
public record Projections(Weights weights, Map<String, LowRank> adapters) {

    /** {@code x·W + b} (+ the low-rank update) of {@code module}, with a bias when {@code bias}. */
    public NDArray apply(NDArray x, String module, boolean bias) {
        NDArray y = x.matMul(weights.get(module + ".weight"));
        if (bias) {
            y.addi(weights.get(module + ".bias"));
        }
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
