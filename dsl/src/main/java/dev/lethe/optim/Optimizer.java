package dev.lethe.optim;

import static dev.lethe.part.ParamTypes.list;
import static dev.lethe.part.ParamTypes.part;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import dev.lethe.model.Weights;
import dev.lethe.part.Kind;
import dev.lethe.part.Param;
import dev.lethe.part.PartText;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * An optimizer = an {@link Estimator} of the descent direction followed by a chain of
 * {@link Transform}s whose output is added to the weights (Optax's shape: {@code adamW} is a named chain,
 * not a class).
 *
 * @param estimator where the direction comes from
 * @param transforms applied in order to the estimate
 */
public record Optimizer(Estimator estimator, List<Transform> transforms) {
    /** The optimizer of a stage: an estimator, then the chain of transforms. */
    public static final Kind<Optimizer> KIND = Kind.of("optimizer", Optimizer.class,
            "an estimator of the descent direction, then transforms applied in order (Optax's chain)",
            List.of(Param.of("estimator", part(Estimator.SLOT), new FirstOrder(), "where the direction comes from",
                            Optimizer::estimator),
                    Param.required("transforms", list(part(Transform.SLOT), 0),
                            "the chain, e.g. scale_by_adam, add_decayed_weights, scale_by_learning_rate",
                            Optimizer::transforms)),
            a -> new Optimizer(a.get("estimator"), a.list("transforms")));

    /** As a recipe file writes it ({@link PartText}). */
    @Override
    public String toString() {
        return PartText.fields(KIND, this);
    }


    private static final String NOT_FINITE = "the update has NaN or infinite entries";
    /** The one axis of a flattened parameter, for its vector norms. */
    private static final int[] ALONG_FIRST = {0};

    /** Copies the transform list. */
    public Optimizer {
        transforms = List.copyOf(transforms);
    }

    /** The states of a chain, and the manager that owns their arrays. */
    public static final class State implements AutoCloseable {
        private final List<TransformState> states;
        private final NDManager manager;

        State(List<TransformState> states, NDManager manager) {
            this.states = states;
            this.manager = manager;
        }

        /** The state of the {@code i}-th transform. */
        public TransformState get(int i) {
            return states.get(i);
        }

        /**
         * Every state array of the chain, named {@code <i>/<name>} for the {@code i}-th transform's array
         * {@code name}: what a checkpoint keeps. The live arrays, not copies.
         */
        public Map<String, NDArray> arrays() {
            Map<String, NDArray> out = new LinkedHashMap<>();
            for (int i = 0; i < states.size(); i++) {
                int index = i;
                states.get(i).arrays().forEach((name, a) -> out.put(index + "/" + name, a));
            }
            return out;
        }

        /**
         * Sets every transform's state to the arrays of {@code saved}, named as {@link #arrays()} names them.
         *
         * @throws IllegalArgumentException when {@code saved} does not fit this chain
         */
        public void restore(Map<String, NDArray> saved) {
            List<Map<String, NDArray>> byTransform = new ArrayList<>();
            for (int i = 0; i < states.size(); i++) {
                byTransform.add(new LinkedHashMap<>());
            }
            saved.forEach((key, a) -> {
                int slash = key.indexOf('/');
                int index = slash <= 0 ? -1 : parseIndex(key.substring(0, slash));
                if (index < 0 || index >= states.size()) {
                    throw new IllegalArgumentException("optimizer state array '" + key + "' belongs to no transform "
                            + "of this chain of " + states.size());
                }
                byTransform.get(index).put(key.substring(slash + 1), a);
            });
            for (int i = 0; i < states.size(); i++) {
                states.get(i).restore(byTransform.get(i));
            }
        }

        private static int parseIndex(String s) {
            return !s.isEmpty() && s.length() < 6 && s.chars().allMatch(Character::isDigit) ? Integer.parseInt(s) : -1;
        }

        @Override
        public void close() {
            manager.close();
        }
    }

    /** Initial states for {@code weights}, owned by a sub-manager of {@code parent}. Close it after the stage. */
    public State init(Weights weights, NDManager parent) {
        NDManager manager = parent.newSubManager();
        List<TransformState> states = new ArrayList<>();
        for (Transform t : transforms) {
            states.add(t.init(weights, manager));
        }
        return new State(states, manager);
    }

    /** Why a step with this loss must not update the weights (not finite, or past the bound), or null. */
    static @Nullable String lossProblem(double loss, double divergeAbove) {
        if (!Double.isFinite(loss)) {
            return "loss became " + loss;
        }
        return Math.abs(loss) > divergeAbove ? "loss " + loss + " passed the divergence bound " + divergeAbove : null;
    }

    /**
     * What one step did.
     *
     * @param loss the loss at the weights before the step
     * @param problem why the update was not applied (a NaN or infinite loss or update), or null when it was
     * @param gradientNorm ‖d‖₂, the global L2 norm of the estimator's direction d (before the transforms), or
     *     NaN when the step did not materialise it (fused MeZO) or stopped before
     * @param gradientL1Norm ‖d‖₁, the sum of |d_i| over all parameters, or NaN as above
     */
    public record Outcome(double loss, @Nullable String problem, double gradientNorm, double gradientL1Norm) {
        /** An outcome without gradient norms. */
        public Outcome(double loss, @Nullable String problem) {
            this(loss, problem, Double.NaN, Double.NaN);
        }

        /** Whether the weights were updated. */
        public boolean applied() {
            return problem == null;
        }
    }

    /**
     * Where the chain's AdamW tail starts, or -1: {@link ScaleByAdam}, optionally {@link AddDecayedWeights},
     * then {@link ScaleByLearningRate} as the last transforms. {@link #step} runs that tail as one fused libtorch
     * kernel per parameter group ({@link FusedAdamW}) instead of a dozen elementwise passes per parameter; the
     * result equals the chain's up to float rounding. Transforms before the tail (clipping, ...) run as usual.
     */
    public int fusedAdamW() {
        int n = transforms.size();
        if (n < 2 || !(transforms.get(n - 1) instanceof ScaleByLearningRate)) {
            return -1;
        }
        int start = transforms.get(n - 2) instanceof AddDecayedWeights ? n - 3 : n - 2;
        return start >= 0 && transforms.get(start) instanceof ScaleByAdam ? start : -1;
    }

    /**
     * Whether {@link #step} takes the fused MeZO-SGD path ({@link Spsa#stepInPlace}): the estimator is
     * {@link Spsa} and the transforms are a {@link ScaleByLearningRate}, optionally preceded by
     * {@link AddDecayedWeights}. The update is then applied parameter by parameter from the regenerated
     * noise and never materialised, so a step costs inference memory; the result equals the materialised
     * chain's up to float rounding. Any other chain (Adam, momentum, {@link FreezeExcept}, ...) materialises
     * the direction as usual.
     */
    public boolean inPlace() {
        int n = transforms.size();
        return estimator instanceof Spsa && n >= 1 && n <= 2
                && transforms.get(n - 1) instanceof ScaleByLearningRate
                && (n == 1 || transforms.get(0) instanceof AddDecayedWeights);
    }

    /**
     * One optimisation step: estimate, transform, and add the result to the weights in place, unless the
     * loss or the update is NaN or infinite, in which case the weights are left as they were (for a
     * perturbing estimator: restored, up to its rounding). Call inside an {@code NDScope} so the step's
     * temporaries are freed. Reads the loss back to the host once (a fused MeZO step, see
     * {@link #inPlace()}: each of its losses).
     */
    public Outcome step(LossOracle oracle, Weights weights, State state, long step, long totalSteps, long seed) {
        return step(oracle, weights, state, step, totalSteps, seed, Double.POSITIVE_INFINITY);
    }

    /**
     * {@link #step(LossOracle, Weights, State, long, long, long)} that also refuses the update when the loss's
     * magnitude is above {@code divergeAbove}: a diverging stage stops with the weights of its last good step.
     */
    public Outcome step(LossOracle oracle, Weights weights, State state, long step, long totalSteps, long seed,
            double divergeAbove) {
        if (inPlace()) {
            double lr = ((ScaleByLearningRate) transforms.get(transforms.size() - 1)).schedule().at(step, totalSteps);
            double decay = transforms.size() == 2 ? ((AddDecayedWeights) transforms.get(0)).rate() : 0;
            return ((Spsa) estimator).stepInPlace(oracle, weights, lr, decay, seed, divergeAbove);
        }
        Estimator.Estimate estimate = estimator.estimate(withinStepVariance() ? oracle.withWithinStepVariance() : oracle,
                weights, step, seed);
        double[] read = lossAndNorms(estimate);
        double loss = read[0];
        double l2 = Math.sqrt(read[1]);
        double l1 = read[2];
        @Nullable String problem = lossProblem(loss, divergeAbove);
        if (problem != null) {
            return new Outcome(loss, problem, l2, l1);
        }
        Updates u = estimate.direction();
        @Nullable NDArray variance = u.variance();
        int fused = fusedAdamW();
        for (int i = 0; i < transforms.size(); i++) {
            if (i == fused && FusedAdamW.fits(u, weights)) {
                return FusedAdamW.of(transforms, fused).apply(u, weights, state.get(fused), step, totalSteps)
                        ? new Outcome(loss, null, l2, l1) : new Outcome(loss, NOT_FINITE, l2, l1);
            }
            u = transforms.get(i) instanceof ScaleBySnr snr
                    ? snr.update(u, state.get(i), step, variance)
                    : transforms.get(i).update(u, state.get(i), weights, step, totalSteps);
        }
        NDArray total = null;
        for (NDArray delta : u.asMap().values()) {
            NDArray sum = delta.sum();
            total = total == null ? sum : total.add(sum);
        }
        if (total != null && !Double.isFinite(total.toType(DataType.FLOAT64, false).getDouble())) {
            return new Outcome(loss, NOT_FINITE, l2, l1);
        }
        u.asMap().forEach((name, delta) -> weights.get(name).addi(delta));
        return new Outcome(loss, null, l2, l1);
    }

    /** Whether a transform of the chain asks for the within-step gradient variance ({@link ScaleBySnr.Noise#WITHIN_STEP}). */
    boolean withinStepVariance() {
        return transforms.stream().anyMatch(t -> t instanceof ScaleBySnr s && s.noise() == ScaleBySnr.Noise.WITHIN_STEP);
    }

    /**
     * The estimate's loss, ‖d‖₂² and ‖d‖₁ of its direction d, read back to the host together (one transfer): the
     * gradient norms the event log keeps for a refined schedule ({@link Schedules#refinedFromRun}). Each
     * parameter's norms are taken in its type, then accumulated in float64.
     */
    private static double[] lossAndNorms(Estimator.Estimate estimate) {
        NDList parts = new NDList();
        parts.add(estimate.loss().reshape(1).toType(DataType.FLOAT64, false));
        NDArray squares = null;
        NDArray absolute = null;
        for (NDArray d : estimate.direction().asMap().values()) {
            // vector norms of a flat view: one reading pass each, no parameter-sized temporary
            NDArray flat = d.reshape(-1);
            NDArray sq = flat.norm(2, ALONG_FIRST, false).toType(DataType.FLOAT64, false).square();
            NDArray ab = flat.norm(1, ALONG_FIRST, false).toType(DataType.FLOAT64, false);
            squares = squares == null ? sq : squares.add(sq);
            absolute = absolute == null ? ab : absolute.add(ab);
        }
        if (squares == null) {
            parts.close();
            return new double[] {estimate.loss().toType(DataType.FLOAT64, false).getDouble(), 0, 0};
        }
        parts.add(squares.reshape(1));
        parts.add(absolute.reshape(1));
        try (NDArray joined = NDArrays.concat(parts)) {
            return joined.toDoubleArray();
        }
    }
}
