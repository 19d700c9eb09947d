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
import java.util.Map;
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
 * <p>RMU updates only a few layers: use {@link #trainableParameters(int)} (or, for a depth-relative layer,
 * {@link #trainableParametersIn(int)}) with {@code Optimizers.onlyLayers}; the parameters are named by
 * architecture role ({@code role:mlp_down@<block>.weight}), so the same choice holds for GPT-2 and Llama-style
 * models.
 *
 * <p><b>Defaults: the official Zephyr-7B run.</b> The run that produced the published WMDP checkpoint
 * ({@code cais/Zephyr_RMU}; the WMDP repository's {@code rmu/unlearn.py} and its README:
 * {@code --steering_coeffs 6.5,6.5 --alpha 1200,1200 --lr 5e-5 --max_num_batches 150 --batch_size 4}, with the
 * script's defaults {@code --layer_id 7 --layer_ids 5,6,7 --param_ids 6}) steers the output of
 * {@code model.layers[7]} of 32 (0-based, so the output of block 8 in Lethe's 1-based count) and updates only the
 * MLP down-projection weight ({@code param_ids 6} of a Mistral block) of blocks 5, 6 and 7 (0-based), with
 * c = 6.5 and α = 1200. Lethe's defaults are these values, the layer expressed relative to depth so that
 * it fits any model: {@link #QUARTER}, block {@code max(1, layers/4)} (8 of 32), and
 * {@link #trainableParameters(int)} takes blocks ℓ−2..ℓ in 0-based terms (5, 6, 7 for ℓ = 8). c must be of the
 * order of the residual stream's norm per dimension and α balances the two terms at that scale, so a small
 * model usually wants its own c and α (the tests use c = 2, α ≤ 10 on a width-8 model); the depth-relative layer
 * and the role-named parameters carry over unchanged.
 *
 * <p>Control vectors: the official run draws one u per forget corpus (bio and cyber) and alternates batches
 * between the corpora; a Lethe stage has one forget split, so one u (from {@code seed}). Unlearning two corpora
 * as the official run does is two objectives with different seeds, or one per sequential request.
 *
 * @param layer ℓ, the block whose output is steered (1-based, as {@link Step#hidden}), or {@link #QUARTER}
 *     for {@code max(1, layers/4)} (the official run's depth), or {@link #MIDDLE} for {@code max(1, layers/2)}
 * @param steeringCoefficient c &gt; 0, the length of the forget target
 * @param alpha α ≥ 0, the weight of the retain term
 * @param seed the seed of the random direction u
 */
public record Rmu(int layer, double steeringCoefficient, double alpha, long seed) implements Objective {
    /**
     * The objective {@code rmu}; its defaults are the official Zephyr-7B run's (layer 8 of 32 as a quarter of the
     * depth, c = 6.5, α = 1200); small models usually need their own c and α.
     */
    public static final Kind<Rmu> KIND = Kind.of("rmu", Rmu.class,
            "RMU representation misdirection (Li et al. 2024, WMDP §5); defaults: the official Zephyr-7B run "
                    + "(layers[7] of 32 = quarter, c 6.5, alpha 1200); update role:mlp_down of blocks l-2..l",
            List.of(Param.of("layer", ParamTypes.layer(Map.of("quarter", Rmu.QUARTER, "middle", Rmu.MIDDLE), 1),
                    Rmu.QUARTER, "steered block (1-based), quarter (max(1, depth/4), the official run's 8 of 32) or "
                            + "middle (max(1, depth/2))", Rmu::layer),
                    Param.of("steering_coefficient", real(Range.positive()), 6.5, "steering coefficient c",
                            Rmu::steeringCoefficient),
                    Param.of("alpha", real(Range.nonNegative()), 1200.0, "retain weight α", Rmu::alpha),
                    Param.of("seed", anyLong(), 0L, "seed of the random direction", Rmu::seed)),
            a -> new Rmu(a.integer("layer"), a.real("steering_coefficient"), a.real("alpha"), a.longInteger("seed")));

    /** As a recipe file writes it ({@link PartText}). */
    @Override
    public String toString() {
        return PartText.of(this, List.of(KIND));
    }

    /** The layer value meaning "the middle block of the model", {@code max(1, layers/2)}. */
    public static final int MIDDLE = -1;

    /**
     * The layer value meaning "a quarter of the depth", {@code max(1, layers/4)}: the official Zephyr-7B run's
     * {@code layer_id 7} (0-based) of 32 blocks, the output of block 8.
     */
    public static final int QUARTER = -2;

    /** Validates the parameters. */
    public Rmu {
        if (layer < 1 && layer != MIDDLE && layer != QUARTER) {
            throw new IllegalArgumentException("RMU layer must be >= 1 (a block's output), QUARTER or MIDDLE, was "
                    + layer);
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
        return switch (layer) {
            case MIDDLE -> Math.max(1, layers / 2);
            case QUARTER -> Math.max(1, layers / 4);
            default -> layer;
        };
    }

    /**
     * The parameters this objective's official recipe updates in a model of {@code layers} blocks:
     * {@link #trainableParameters(int)} of {@link #layerIn(int)}, e.g. for the defaults and 32 blocks
     * {@code role:mlp_down@5.weight, role:mlp_down@6.weight, role:mlp_down@7.weight}.
     */
    public List<String> trainableParametersIn(int layers) {
        return trainableParameters(layerIn(layers));
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
