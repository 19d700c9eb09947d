package dev.lethe.optim;

import static dev.lethe.part.ParamTypes.bool;
import static dev.lethe.part.ParamTypes.real;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import dev.lethe.model.Weights;
import dev.lethe.part.Kind;
import dev.lethe.part.Param;
import dev.lethe.part.ParamTypes.Range;
import dev.lethe.part.PartText;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Heavy-ball momentum as a trace (Polyak 1964; Optax's {@code trace}): m ← β·m + u, output m; with
 * Nesterov (Sutskever et al. 2013, in Optax's form) the output is u + β·m (the new m).
 * Chained before {@link ScaleBySign} it gives Signum (Bernstein et al. 2018; their
 * m ← βm + (1−β)g differs from the trace by the positive factor 1−β, which the sign removes).
 *
 * @param beta β ∈ [0, 1)
 * @param nesterov whether to look ahead
 */
public record TraceMomentum(double beta, boolean nesterov) implements Transform {
    /** The transform {@code trace_momentum}. */
    public static final Kind<TraceMomentum> KIND = Kind.of("trace_momentum", TraceMomentum.class,
            "heavy-ball momentum m ← βm + u",
            List.of(Param.of("beta", real(Range.closedOpen(0, 1)), 0.9, "β", TraceMomentum::beta),
                    Param.of("nesterov", bool(), false, "look ahead", TraceMomentum::nesterov)),
            a -> new TraceMomentum(a.real("beta"), a.bool("nesterov")));

    /** As a recipe file writes it ({@link PartText}). */
    @Override
    public String toString() {
        return PartText.of(this, List.of(KIND));
    }

    /**
     * The momentum buffer, one array per parameter.
     *
     * @param momentum m
     */
    public record Trace(Map<String, NDArray> momentum) implements TransformState {
        /** The momentum buffers, by parameter name. */
        @Override
        public Map<String, NDArray> arrays() {
            return momentum;
        }

        @Override
        public void restore(Map<String, NDArray> saved) {
            StateArrays.restore(momentum, saved, "the momentum");
        }
    }

    /** Plain heavy-ball momentum. */
    public TraceMomentum(double beta) {
        this(beta, KIND.<Boolean>defaultOf("nesterov"));
    }

    @Override
    public TransformState init(Weights weights, NDManager manager) {
        Map<String, NDArray> m = new LinkedHashMap<>();
        weights.forEach((name, w) -> {
            NDArray a = manager.zeros(w.getShape(), w.getDataType());
            NDScope.unregister(a);
            m.put(name, a);
        });
        return new Trace(m);
    }

    @Override
    public Updates update(Updates updates, TransformState state, Weights weights, long step, long totalSteps) {
        Trace trace = (Trace) state;
        return updates.map((name, u) -> {
            NDArray m = trace.momentum().get(name);
            m.muli((float) beta).addi(u);
            return nesterov ? u.add(m.mul((float) beta)) : m.duplicate();
        });
    }
}
