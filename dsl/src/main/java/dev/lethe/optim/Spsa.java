package dev.lethe.optim;

import static dev.lethe.part.ParamTypes.bool;
import static dev.lethe.part.ParamTypes.choice;
import static dev.lethe.part.ParamTypes.integer;
import static dev.lethe.part.ParamTypes.real;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.lethe.model.LibtorchKernels;
import dev.lethe.model.Weights;
import dev.lethe.part.Kind;
import dev.lethe.part.Param;
import dev.lethe.part.ParamTypes.Range;
import dev.lethe.part.PartText;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.jspecify.annotations.Nullable;

/**
 * Zeroth-order gradient estimate by simultaneous perturbation (SPSA, Spall 1992), in the memory-efficient
 * form of MeZO (Malladi et al. 2023, "Fine-Tuning Language Models with Just Forward Passes", §2 and
 * Algorithm 1): ĝ = (1/q)·Σ_q [(L(θ+εz_q) − L(θ−εz_q)) / (2ε)]·z_q with z_q ~ N(0, I).
 *
 * <p>Memory: z is never stored. Each z_q is regenerated from a seed derived from the step seed, one
 * parameter at a time and, within a parameter, in blocks of rows of at most {@value #BLOCK} values
 * ({@link #perturbation} gives the same values whole); the weights are perturbed in place by +εz, −2εz, +εz, so
 * only forward passes without an autograd graph are needed and {@link LossOracle#lossAndGradients()} is
 * never called. Beyond the forward passes, a perturbation needs a few blocks (z, the rows it moves) and
 * the calling thread's reusable staging buffer of one block; the scalar factors are allocated by libtorch,
 * not wrapped in Java direct buffers (which only the garbage collector frees). Where z comes from is
 * {@link Noise}: by default libtorch's generator on the weights' device (nothing crosses from the host to a
 * GPU), or Java's {@code SplittableRandom} for values that are the same on every device. Either way each
 * z has its own seed, so the engine's global random stream (dropout) is left untouched, and a step reads
 * back to the host once: its losses, all together.
 *
 * <p>Two ways to use it:
 * <ul>
 *   <li>as an {@link Estimator}, followed by any transforms (Adam, momentum, ...): {@link #estimate} then
 *       materialises the direction ĝ, one array per parameter (the size of a gradient);</li>
 *   <li>as MeZO-SGD, when an {@link Optimizer} has only weight decay and a learning rate after it
 *       ({@link Optimizer#inPlace()}, e.g. {@link Optimizers#zerothOrder}): {@link #stepInPlace} keeps only
 *       the q projected gradients (scalars) and applies θ ← θ − η·(g_q/q)·z_q by regenerating each z_q once
 *       more, so a step needs no parameter-sized buffer at all: inference memory plus a few blocks.</li>
 * </ul>
 *
 * <p>Restoration is exact up to float rounding: the three perturbations are exactly a, −2a, a (scaling by 2
 * is exact), so the only error is the rounding of three additions, at most about 1.5 ulp of |θ|. Drawing z
 * in Java costs about 3 ms per million parameters and pass on one core (measured: 1M
 * {@code SplittableRandom.nextGaussian} in 3.1 ms) plus a copy to the device; a query makes three passes,
 * and a step one more per query for the direction or the in-place update.
 *
 * <p>The loss of the estimate: with {@code exactLoss} the loss is evaluated honestly at the unperturbed θ
 * (one more forward pass); without it, it is the mean of the 2q perturbed losses, which equals L(θ) only up
 * to O(ε²) (exactly, for a quadratic, L(θ) + ε²·mean(zᵀHz)/2).
 *
 * @param eps ε, the perturbation size (MeZO: 1e-3)
 * @param queries q, the number of perturbations averaged (≥ 1)
 * @param exactLoss whether to spend one forward pass on the loss at the unperturbed weights
 * @param noise where z is drawn
 */
public record Spsa(double eps, int queries, boolean exactLoss, Noise noise) implements Estimator {
    /** Where the perturbation z is drawn. */
    public enum Noise {
        /**
         * libtorch's generator on the weights' device ({@link LibtorchKernels#addNoise}): no host-to-device
         * copy, the fast choice on a GPU; the values depend on the device type (CPU and CUDA generators differ).
         */
        LIBTORCH,
        /** Java's {@code SplittableRandom}, copied to the device: the same values on every device and engine. */
        JAVA
    }

    /** The estimator {@code spsa}, with MeZO's defaults: ε = 1e-3, one query, the loss at the unperturbed weights. */
    public static final Kind<Spsa> KIND = Kind.of("spsa", Spsa.class,
            "zeroth-order SPSA / MeZO (Malladi et al. 2023, Alg. 1)",
            List.of(Param.of("eps", real(Range.positive()), 1e-3, "perturbation size ε", Spsa::eps),
                    Param.of("queries", integer(1), 1, "perturbations averaged", Spsa::queries),
                    Param.of("exact_loss", bool(), true, "spend a forward pass on the unperturbed loss",
                            Spsa::exactLoss),
                    Param.of("noise", choice(Noise.class), Noise.LIBTORCH,
                            "where z is drawn: libtorch (on the device) or java (the same on every device)",
                            Spsa::noise)),
            a -> new Spsa(a.real("eps"), a.integer("queries"), a.bool("exact_loss"), a.get("noise")));

    /** As a recipe file writes it ({@link PartText}). */
    @Override
    public String toString() {
        return PartText.of(this, List.of(KIND));
    }

    /** The most values of z drawn and held at once: 2¹⁸ (1 MiB in float32). */
    public static final int BLOCK = 1 << 18;

    /** Checks the arguments. */
    public Spsa {
        if (!(eps > 0) || queries < 1) {
            throw new IllegalArgumentException("need eps > 0 and queries >= 1, got " + eps + ", " + queries);
        }
    }

    /** MeZO's defaults: ε = 1e-3, one query, the loss evaluated at the unperturbed weights. */
    public Spsa() {
        this(KIND.<Double>defaultOf("eps"), KIND.<Integer>defaultOf("queries"));
    }

    /** ε and q, with the loss evaluated at the unperturbed weights. */
    public Spsa(double eps, int queries) {
        this(eps, queries, KIND.<Boolean>defaultOf("exact_loss"));
    }

    /** ε, q and whether to evaluate the exact loss, with z drawn by libtorch on the device. */
    public Spsa(double eps, int queries, boolean exactLoss) {
        this(eps, queries, exactLoss, KIND.<Noise>defaultOf("noise"));
    }

    /** This estimator with z drawn by {@code source}. */
    public Spsa withNoise(Noise source) {
        return new Spsa(eps, queries, exactLoss, source);
    }

    /** The seed of query {@code query} of a step whose seed is {@code stepSeed}. */
    public static long querySeed(long stepSeed, int query) {
        return Rng.derive(stepSeed, query);
    }

    /**
     * z for one parameter: the {@code index}-th parameter (in {@link Weights} order) of the query whose seed
     * is {@code querySeed}, an array of N(0, 1) draws shaped like {@code like}, on its device. The same
     * arguments (and, for {@link Noise#LIBTORCH}, the same device type) give bit-identical values.
     */
    public NDArray perturbation(NDArray like, long querySeed, int index) {
        long seed = Rng.derive(querySeed, index);
        if (noise == Noise.JAVA) {
            return Rng.gaussian(like, seed);
        }
        NDArray z = like.zerosLike();
        LibtorchKernels.addNoise(List.of(z), new long[] {seed}, 1, BLOCK);
        return z;
    }

    @Override
    public Estimate estimate(LossOracle oracle, Weights weights, long seed) {
        @Nullable NDArray exact = exactLoss ? oracle.loss() : null;
        double[] losses = queryLosses(oracle, weights, seed, null);
        Map<String, NDArray> direction = new LinkedHashMap<>();
        weights.forEach((name, w) -> direction.put(name, w.zerosLike()));
        double lossSum = 0;
        for (int q = 0; q < queries; q++) {
            // projected gradient (L+ − L−)/(2ε), divided by q for the average
            addNoise(Weights.of(direction), querySeed(seed, q),
                    (losses[2 * q] - losses[2 * q + 1]) / (2 * eps * queries));
            lossSum += losses[2 * q] + losses[2 * q + 1];
        }
        NDArray loss = exact != null ? exact
                : weights.asMap().values().iterator().next().getManager().create((float) (lossSum / (2 * queries)));
        return new Estimate(loss, new Updates(direction));
    }

    /**
     * One MeZO-SGD step in place (Malladi et al. 2023, Algorithm 1, with q queries as in their §2): for each
     * query, the projected gradient g_q = (L(θ+εz_q) − L(θ−εz_q)) / (2ε) with the weights restored after;
     * then, unless a loss is NaN or infinite, decoupled weight decay θ ← (1 − ηλ)·θ on matrices and
     * embeddings (as {@link AddDecayedWeights}) and θ ← θ − η·(g_q/q)·z_q for each query, z_q regenerated.
     * The result equals the {@link #estimate} → {@link AddDecayedWeights} → {@link ScaleByLearningRate} chain
     * up to float rounding, without ever holding ĝ. When the step is not applied the weights are as before
     * it, up to the restoration's rounding (see the class comment). The step's losses (the exact one too)
     * are read back to the host together, once, after the last perturbed pass: on a GPU nothing else waits.
     *
     * @param oracle evaluates the step's loss
     * @param weights the trainable weights, updated in place
     * @param lr η for this step
     * @param weightDecay λ (0 for none)
     * @param seed this step's seed
     * @return the loss (as {@link #estimate} reports it) and why the update was skipped, if it was
     */
    public Optimizer.Outcome stepInPlace(LossOracle oracle, Weights weights, double lr, double weightDecay,
            long seed) {
        return stepInPlace(oracle, weights, lr, weightDecay, seed, Double.POSITIVE_INFINITY);
    }

    /** {@link #stepInPlace(LossOracle, Weights, double, double, long)} that also stops when |loss| passes {@code divergeAbove}. */
    public Optimizer.Outcome stepInPlace(LossOracle oracle, Weights weights, double lr, double weightDecay,
            long seed, double divergeAbove) {
        @Nullable NDArray exact = exactLoss ? oracle.loss() : null;
        double[] losses = queryLosses(oracle, weights, seed, exact);
        double[] projected = new double[queries];
        double lossSum = 0;
        for (int q = 0; q < queries; q++) {
            projected[q] = (losses[2 * q] - losses[2 * q + 1]) / (2 * eps);
            lossSum += losses[2 * q] + losses[2 * q + 1];
        }
        double loss = exactLoss ? losses[2 * queries] : lossSum / (2 * queries);
        @Nullable String problem = Optimizer.lossProblem(loss, divergeAbove);
        if (problem != null) {
            return new Optimizer.Outcome(loss, problem);
        }
        for (double g : projected) {
            if (!Double.isFinite(g)) {
                return new Optimizer.Outcome(loss, "the update has NaN or infinite entries");
            }
        }
        if (weightDecay != 0) {
            float keep = (float) (1 - lr * weightDecay);
            weights.forEach((name, w) -> {
                if (!Weights.isBiasOrNorm(name, w)) {
                    try (NDArray s = scalar(w, keep)) {
                        w.muli(s);
                    }
                }
            });
        }
        for (int q = 0; q < queries; q++) {
            addNoise(weights, querySeed(seed, q), -lr * projected[q] / queries);
        }
        return new Optimizer.Outcome(loss, null);
    }

    /**
     * L(θ+εz_q) and L(θ−εz_q) of every query, then {@code extra} if given, read back to the host in one transfer:
     * {@code [plus₀, minus₀, plus₁, minus₁, ..., extra]}. The weights are restored after each query.
     */
    private double[] queryLosses(LossOracle oracle, Weights weights, long seed, @Nullable NDArray extra) {
        NDList all = new NDList();
        for (int q = 0; q < queries; q++) {
            long querySeed = querySeed(seed, q);
            addNoise(weights, querySeed, eps);
            try {
                all.add(oracle.loss());
                addNoise(weights, querySeed, -2 * eps);
                all.add(oracle.loss());
            } finally {
                addNoise(weights, querySeed, eps);
            }
        }
        if (extra != null) {
            all.add(extra);
        }
        NDList flat = new NDList();
        for (NDArray a : all) {
            try (NDArray row = a.reshape(1)) {
                flat.add(row.toType(DataType.FLOAT64, true));
            }
        }
        try (NDArray joined = NDArrays.concat(flat)) {
            return joined.toDoubleArray();
        } finally {
            flat.close();
        }
    }

    /**
     * {@code value} as a 0-dimensional array that libtorch allocated ({@code mul(Number)} would wrap it in a
     * Java direct buffer that only the garbage collector frees: thousands per step, resident until then).
     */
    private static NDArray scalar(NDArray like, float value) {
        return like.getManager().full(new Shape(), value, like.getDataType(), like.getDevice());
    }

    /** θ ← θ + scale·z for every parameter, z regenerated from {@code querySeed} by {@link #noise()}'s source. */
    private void addNoise(Weights weights, long querySeed, double scale) {
        List<NDArray> arrays = new ArrayList<>(weights.asMap().values());
        long[] seeds = new long[arrays.size()];
        for (int i = 0; i < seeds.length; i++) {
            seeds[i] = Rng.derive(querySeed, i);
        }
        if (noise == Noise.LIBTORCH) {
            LibtorchKernels.addNoise(arrays, seeds, scale, BLOCK);
            return;
        }
        for (int i = 0; i < seeds.length; i++) {
            addJavaNoise(arrays.get(i), seeds[i], (float) scale);
        }
    }

    /**
     * w ← w + scale·z in place, z the N(0, 1) draws of {@code seed} shaped like w ({@link #perturbation} with {@link Noise#JAVA}), drawn and
     * added in blocks of leading-axis rows of at most {@link #BLOCK} values (one row if a row is larger). The
     * values are those of adding the whole z at once: each element is rounded the same way. For float32
     * weights scale·z is formed in Java while drawing ({@link Rng#scaledGaussianTransient}, the same rounding as
     * libtorch's multiply) and added straight from the staging buffer: one pass over the block in libtorch
     * instead of a copy, a multiply and an add.
     */
    static void addJavaNoise(NDArray w, long seed, float scale) {
        Shape shape = w.getShape();
        SplittableRandom random = new SplittableRandom(seed);
        if (shape.size() <= BLOCK || shape.dimension() == 0) {
            try (NDArray z = scaledNoise(random, w, shape, scale)) {
                w.addi(z);
            }
            return;
        }
        long rows = shape.get(0);
        long step = Math.max(1, BLOCK / (shape.size() / rows));
        for (long from = 0; from < rows; from += step) {
            long to = Math.min(rows, from + step);
            NDIndex block = new NDIndex("{}:{}", from, to);
            Shape blockShape = new Shape(to - from).addAll(shape.slice(1));
            try (NDArray z = scaledNoise(random, w, blockShape, scale);
                    NDArray part = w.get(block);
                    NDArray moved = part.add(z)) {
                w.set(block, moved);
            }
        }
    }

    /** The next draws of {@code random} shaped {@code shape}, times {@code scale}, in w's type and manager. */
    private static NDArray scaledNoise(SplittableRandom random, NDArray w, Shape shape, float scale) {
        if (w.getDataType() == DataType.FLOAT32) {
            return Rng.scaledGaussianTransient(random, w.getManager(), shape, scale);
        }
        NDArray z = Rng.gaussian(random, w.getManager(), shape, w.getDataType());
        try (NDArray s = scalar(w, scale)) {
            return z.muli(s);
        }
    }
}
