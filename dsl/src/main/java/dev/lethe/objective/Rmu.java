package dev.lethe.objective;

import static dev.lethe.part.ParamTypes.anyLong;
import static dev.lethe.part.ParamTypes.real;

import ai.djl.ndarray.NDArray;
import dev.lethe.data.Split;
import dev.lethe.model.Role;
import dev.lethe.model.RolePattern;
import dev.lethe.model.Scalars;
import dev.lethe.part.Kind;
import dev.lethe.part.Param;
import dev.lethe.part.ParamTypes.Range;
import dev.lethe.part.ParamTypes;
import dev.lethe.part.PartText;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Representation misdirection for unlearning, RMU (Li et al. 2024, "The WMDP Benchmark: Measuring and
 * Reducing Malicious Use With Unlearning", §5, Algorithm 1): push the trained model's residual stream after
 * block ℓ on forget inputs towards a fixed scaled random direction, and keep it on retain inputs where the
 * frozen reference had it:
 * <pre>
 *   L = mean_{b,t,d} (h_ℓ(x_f) − c·u)²  +  α · mean_{b,t,d} (h_ℓ(x_r) − h_ℓ^ref(x_r))²
 * </pre>
 * i.e. the squared L2 distances of the paper divided by the width (the official code's {@code mse_loss}),
 * averaged over positions. u is a unit vector of the residual width, drawn once: entries uniform in [0, 1)
 * from a Java {@link SplittableRandom} seeded with {@code seed}, divided by their L2 norm
 * ({@link #direction(long, int)}), so the same seed gives the same u on any engine.
 *
 * <p>Positions: the paper applies both terms to every token of the sequence (its forget and retain
 * corpora are plain text, with no prompt/answer split). Here every non-padding input position of the
 * batch counts, {@code <bos>}, prompt and answer alike ({@link dev.lethe.data.Batch#inputMask()}); padding is
 * masked out. Each term is {@code Σ_{b,t} m_{b,t}·Σ_d (·)² / (W·Σ_{b,t} m_{b,t})}.
 *
 * <p>RMU updates only a few layers: use {@link #trainableParameters(int)} with
 * {@code Optimizers.onlyLayers}. The defaults ({@link Objectives#rmu()}: the middle layer, c = 6.5,
 * α = 100) are the paper's values for Zephyr-7B; the steering coefficient must be of the order of the
 * residual stream's norm per dimension, so tiny models need their own c and α.
 *
 * @param layer ℓ, the block whose output is steered (1-based, as {@link Step#hidden}), or {@link #MIDDLE}
 *     for {@code max(1, layers/2)}
 * @param steeringCoefficient c &gt; 0, the length of the forget target
 * @param alpha α ≥ 0, the weight of the retain term
 * @param seed the seed of the random direction u
 */
public record Rmu(int layer, double steeringCoefficient, double alpha, long seed) implements Objective {
    /** The objective {@code rmu}; its defaults are the paper's Zephyr-7B values (tiny models need other c, α). */
    public static final Kind<Rmu> KIND = Kind.of("rmu", Rmu.class,
            "RMU representation misdirection (Li et al. 2024, WMDP §5)",
            List.of(Param.of("layer", ParamTypes.layer("middle", Rmu.MIDDLE, 1), Rmu.MIDDLE,
                    "steered block (1-based) or middle", Rmu::layer),
                    Param.of("steering_coefficient", real(Range.positive()), 6.5, "steering coefficient c",
                            Rmu::steeringCoefficient),
                    Param.of("alpha", real(Range.nonNegative()), 100.0, "retain weight α", Rmu::alpha),
                    Param.of("seed", anyLong(), 0L, "seed of the random direction", Rmu::seed)),
            a -> new Rmu(a.integer("layer"), a.real("steering_coefficient"), a.real("alpha"), a.longInteger("seed")));

    /** As a recipe file writes it ({@link PartText}). */
    @Override
    public String toString() {
        return PartText.of(this, List.of(KIND));
    }

    /** The layer value meaning "the middle block of the model", {@code max(1, layers/2)}. */
    public static final int MIDDLE = -1;

    /** Validates the parameters. */
    public Rmu {
        if (layer < 1 && layer != MIDDLE) {
            throw new IllegalArgumentException("RMU layer must be >= 1 (a block's output) or MIDDLE, was " + layer);
        }
        if (!(steeringCoefficient > 0) || !Double.isFinite(steeringCoefficient)) {
            throw new IllegalArgumentException("RMU steering coefficient must be finite and > 0, was "
                    + steeringCoefficient);
        }
        if (!(alpha >= 0) || !Double.isFinite(alpha)) {
            throw new IllegalArgumentException("RMU alpha must be finite and >= 0, was " + alpha);
        }
    }

    /** The layer this objective steers in a model of {@code layers} blocks. */
    public int layerIn(int layers) {
        return layer == MIDDLE ? Math.max(1, layers / 2) : layer;
    }

    @Override
    public NDArray loss(Step step) {
        int l = layerIn(step.layers());
        NDArray forget = step.hidden(Split.FORGET, l);
        int width = (int) forget.getShape().get(2);
        NDArray target = steering(forget, width);
        NDArray forgetTerm = maskedMeanSquare(forget.sub(target), step.batch(Split.FORGET).inputMask());
        if (alpha == 0) {
            return forgetTerm;
        }
        NDArray retain = step.hidden(Split.RETAIN, l);
        NDArray retainTerm = maskedMeanSquare(retain.sub(step.referenceHidden(Split.RETAIN, l).stopGradient()),
                step.batch(Split.RETAIN).inputMask());
        return forgetTerm.add(Scalars.times(retainTerm, alpha));
    }

    /** c·u as a (width) array of {@code like}'s type, in memory libtorch allocated (see Scalars). */
    private NDArray steering(NDArray like, int width) {
        double[] u = direction(seed, width);
        NDArray fromJava = like.getManager().create(u);
        NDArray owned = fromJava.toType(like.getDataType(), true).duplicate();
        fromJava.close();
        return Scalars.times(owned, steeringCoefficient);
    }

    /** Σ_{b,t} m·Σ_d x² / (W·Σ m) for x (B, T, W) and m (B, T). */
    private static NDArray maskedMeanSquare(NDArray diff, NDArray mask) {
        long width = diff.getShape().get(2);
        NDArray perPosition = diff.square().sum(new int[] {2});
        NDArray m = mask.toType(diff.getDataType(), false);
        return perPosition.mul(m).sum().div(Scalars.times(m.sum(), width));
    }

    /**
     * RMU's random direction u for {@code seed}: {@code width} entries uniform in [0, 1) from
     * {@code new SplittableRandom(seed).nextDouble()}, in order, divided by their L2 norm (Li et al. 2024,
     * "The WMDP Benchmark", Algorithm 1: "u sampled uniformly from [0, 1) and normalised").
     */
    public static double[] direction(long seed, int width) {
        SplittableRandom random = new SplittableRandom(seed);
        double[] u = new double[width];
        double norm = 0;
        for (int i = 0; i < width; i++) {
            u[i] = random.nextDouble();
            norm += u[i] * u[i];
        }
        norm = Math.sqrt(norm);
        for (int i = 0; i < width; i++) {
            u[i] /= norm;
        }
        return u;
    }

    /**
     * The parameters RMU updates when steering the output of block {@code layer} (Li et al. 2024, "The WMDP
     * Benchmark", §5: only layers ℓ−2, ℓ−1, ℓ; the official code updates the weight of the MLP down-projection
     * of those blocks), as {@link RolePattern}s for {@code Optimizers.onlyLayers}: the blocks
     * are ℓ−3 to ℓ−1 (0-based; those below 0 are left out), e.g. {@code role:mlp_down@0.weight}, which any
     * architecture resolves to its own names (GPT-2: {@code h.0.mlp.c_proj.weight}).
     */
    public static List<String> trainableParameters(int layer) {
        if (layer < 1) {
            throw new IllegalArgumentException("RMU layer must be >= 1, was " + layer);
        }
        List<String> out = new ArrayList<>();
        for (int block = Math.max(0, layer - 3); block <= layer - 1; block++) {
            out.add(new RolePattern(Role.MLP_DOWN, block, RolePattern.Part.WEIGHT).toString());
        }
        return List.copyOf(out);
    }
}
