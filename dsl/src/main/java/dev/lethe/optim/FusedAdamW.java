package dev.lethe.optim;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import dev.lethe.model.LibtorchKernels;
import dev.lethe.model.Weights;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The chain tail {@code scale_by_adam → add_decayed_weights (optional) → scale_by_learning_rate} run as
 * libtorch's fused AdamW kernel ({@link LibtorchKernels#adamW}): one pass over each parameter's weight,
 * update and moments instead of the chain's dozen elementwise passes, which on a CPU are bound by memory
 * traffic. Same mathematics as the chain, with PyTorch's order of operations (decay applied to the weight
 * before the Adam step), so results agree with the chain up to float rounding. The moments are the
 * {@link ScaleByAdam.Moments} of the chain's state, so checkpoints are interchangeable.
 *
 * @param adam β₁, β₂, ε
 * @param decay λ for matrices and embeddings (biases and norms are not decayed, as {@link AddDecayedWeights})
 * @param schedule η_t
 */
record FusedAdamW(ScaleByAdam adam, double decay, Schedule schedule) {

    /** The tail of {@code transforms} starting at {@code start} ({@link Optimizer#fusedAdamW()}). */
    static FusedAdamW of(List<Transform> transforms, int start) {
        double decay = transforms.get(start + 1) instanceof AddDecayedWeights d ? d.rate() : 0;
        Schedule schedule = ((ScaleByLearningRate) transforms.get(transforms.size() - 1)).schedule();
        return new FusedAdamW((ScaleByAdam) transforms.get(start), decay, schedule);
    }

    /**
     * Whether the kernel can take these updates: each has its weight's shape, floating type and device
     * (otherwise the chain runs as written).
     */
    static boolean fits(Updates updates, Weights weights) {
        for (Map.Entry<String, NDArray> e : updates.asMap().entrySet()) {
            NDArray w = weights.get(e.getKey());
            NDArray g = e.getValue();
            DataType type = w.getDataType();
            if (!type.isFloating() || g.getDataType() != type || !g.getShape().equals(w.getShape())
                    || !g.getDevice().equals(w.getDevice())) {
                return false;
            }
        }
        return true;
    }

    /**
     * Adds the step's update to the weights in place and advances the moments, unless an update entry is
     * NaN or infinite: then nothing changes (neither weights nor moments) and the result is false.
     */
    boolean apply(Updates updates, Weights weights, TransformState state, long step, long totalSteps) {
        ScaleByAdam.Moments moments = (ScaleByAdam.Moments) state;
        List<NDArray> gradients = new ArrayList<>(updates.asMap().values());
        if (!LibtorchKernels.allFinite(gradients)) {
            return false;
        }
        Group decayed = new Group();
        Group plain = new Group();
        updates.asMap().forEach((name, g) -> {
            NDArray w = weights.get(name);
            (decay != 0 && !Weights.isBiasOrNorm(name, w) ? decayed : plain)
                    .add(w, g, moments.first().get(name), moments.second().get(name));
        });
        double lr = schedule.at(step, totalSteps);
        decayed.step(step + 1, lr, decay);
        plain.step(step + 1, lr, 0);
        return true;
    }

    /** Parameters that share a weight decay. */
    private final class Group {
        private final List<NDArray> w = new ArrayList<>();
        private final List<NDArray> g = new ArrayList<>();
        private final List<NDArray> m = new ArrayList<>();
        private final List<NDArray> v = new ArrayList<>();

        void add(NDArray weight, NDArray gradient, NDArray first, NDArray second) {
            w.add(weight);
            g.add(gradient);
            m.add(first);
            v.add(second);
        }

        void step(long t, double lr, double weightDecay) {
            LibtorchKernels.adamW(w, g, m, v, t, lr, adam.b1(), adam.b2(), adam.eps(), weightDecay);
        }
    }
}
