package dev.lethe.spec;

import static dev.lethe.part.ParamTypes.integer;
import static dev.lethe.part.ParamTypes.list;
import static dev.lethe.part.ParamTypes.real;

import dev.lethe.data.Split;
import dev.lethe.part.Kind;
import dev.lethe.part.Param;
import dev.lethe.part.ParamTypes;
import dev.lethe.part.ParamTypes.Range;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * The {@code acu_learn} stage: ACU's continual-learning phase (Tang et al. 2025, "ACU: Analytic Continual Unlearning
 * for Efficient and Exact Forgetting with Privacy Preservation", arXiv 2505.12239, method section, analytic knowledge embedding),
 * gradient-free. The current model's weights are frozen as the feature extractor; the residual stream after block
 * {@code layer} goes through a fixed random ReLU expansion of size {@code expansion}, and a linear head is fitted to
 * the next tokens of the answers of {@code splits} by recursive least squares in closed form (W = R·XᵀY,
 * R = (XᵀX + γI)⁻¹; {@code dev.lethe.model.RecursiveRidge}), one update per example. The model with the head
 * ({@code dev.lethe.model.AnalyticHead}: its logits replace the LM head's) becomes the current model, called
 * {@code learned} (numbered after a {@code learn} stage); {@link AcuUnlearning} then forgets from it exactly.
 *
 * <p>When the current model already has an analytic head (an earlier {@code acu_learn} or {@code acu_unlearn}), the
 * stage goes on learning with it, as a new request of the continual phase: its layer, expansion, γ and scale must
 * be this stage's, and its random expansion (seeded by the first {@code acu_learn} stage) is kept.
 *
 * <p>What it forgets is what the head learned: a backbone that was itself trained on the forget split keeps those
 * facts in its features, and a head fitted on the rest reads much of them out again (on the quickstart's learned
 * model, forget exact match stays near 0.9 after {@code acu_unlearn}). As in the paper, where the backbone is
 * pretrained elsewhere and frozen, learn the backbone without the forget split ({@code examples/recipes/acu.yaml}).
 *
 * <p>Memory: R is {@code expansion}² float64 values and W {@code expansion} × (target tokens seen) ones, kept with
 * the model and in its checkpoint; the default 512 is 2 MB. The paper's expansion (8 192) is 512 MB per R.
 *
 * @param layer the block whose output is the feature (1-based), or {@link #LAST}
 * @param expansion the random ReLU expansion's size D
 * @param gamma the ridge regularisation γ
 * @param scale the logit scale τ: logits = τ·x·W
 * @param splits the splits whose answers are learned (at least one, distinct)
 */
public record AcuLearning(int layer, int expansion, double gamma, double scale, List<Split> splits) implements Stage {
    /** The {@code layer} that names the last block. */
    public static final int LAST = -1;

    /** The {@code acu_learn} stage in recipe files. */
    public static final Kind<AcuLearning> KIND = Kind.of("acu_learn", AcuLearning.class,
            "ACU (arXiv 2505.12239): fit an analytic head (random ReLU expansion of a block's output, ridge "
                    + "regression in closed form) to the splits' answers, gradient-free; its logits replace the LM "
                    + "head's; the model becomes the current model, learned",
            List.of(Param.of("layer", ParamTypes.layer("last", LAST, 1), LAST,
                            "the block whose output is the feature (1-based) or last", (AcuLearning x) -> x.layer()),
                    Param.of("expansion", integer(1, 1 << 15), 512, "size D of the random ReLU expansion (R is "
                            + "D × D float64)", (AcuLearning x) -> x.expansion()),
                    Param.of("gamma", real(Range.positive()), 0.1, "ridge regularisation γ",
                            (AcuLearning x) -> x.gamma()),
                    Param.of("scale", real(Range.positive()), 10.0, "logit scale τ (logits = τ·x·W)",
                            (AcuLearning x) -> x.scale()),
                    Param.of("splits", list(Split.TYPE, 1), Learn.DEFAULT_SPLITS, "the splits whose answers are learned",
                            (AcuLearning x) -> x.splits())),
            a -> new AcuLearning(a.integer("layer"), a.integer("expansion"), a.real("gamma"), a.real("scale"),
                    a.list("splits")));

    /** Checks the numbers and copies the splits. */
    public AcuLearning {
        if (layer < 1 && layer != LAST) {
            throw new IllegalArgumentException("acu_learn: layer must be >= 1 or LAST, was " + layer);
        }
        if (expansion < 1) {
            throw new IllegalArgumentException("acu_learn: expansion must be >= 1, was " + expansion);
        }
        if (!(gamma > 0) || Double.isInfinite(gamma) || !(scale > 0) || Double.isInfinite(scale)) {
            throw new IllegalArgumentException("acu_learn: gamma and scale must be positive and finite, were " + gamma
                    + " and " + scale);
        }
        splits = Splits.distinct(splits, "acu_learn");
    }

    /** The defaults: the last block, expansion 512, γ = 0.1, τ = 10, on forget ∪ retain ∪ world ∪ real authors. */
    public static AcuLearning defaults() {
        return new AcuLearning(LAST, 512, 0.1, 10.0, Learn.DEFAULT_SPLITS);
    }

    /** A copy reading block {@code newLayer}'s output (1-based, or {@link #LAST}). */
    public AcuLearning withLayer(int newLayer) {
        return new AcuLearning(newLayer, expansion, gamma, scale, splits);
    }

    /** A copy with another expansion size. */
    public AcuLearning withExpansion(int newExpansion) {
        return new AcuLearning(layer, newExpansion, gamma, scale, splits);
    }

    /** A copy with another γ. */
    public AcuLearning withGamma(double newGamma) {
        return new AcuLearning(layer, expansion, newGamma, scale, splits);
    }

    /** A copy with another logit scale. */
    public AcuLearning withScale(double newScale) {
        return new AcuLearning(layer, expansion, gamma, newScale, splits);
    }

    /** A copy learning {@code newSplits} (at least one, distinct). */
    public AcuLearning withSplits(Split... newSplits) {
        return new AcuLearning(layer, expansion, gamma, scale, List.of(newSplits));
    }

    /** The layer for a model of {@code blocks} blocks. */
    public int layerOf(int blocks) {
        int l = layer == LAST ? blocks : layer;
        if (l > blocks) {
            throw new IllegalArgumentException("acu_learn: layer " + layer + " is beyond the model's " + blocks
                    + " blocks");
        }
        return l;
    }

    @Override
    public String kind() {
        return KIND.name();
    }

    @Override
    public ModelRole produces() {
        return ModelRole.LEARNED;
    }

    /** Checkpointed like a training stage (one unit, one "step"); there are no steps to evaluate continually. */
    @Override
    public boolean trains() {
        return true;
    }

    /** Itself: the closed-form fit has no steps to evaluate between. */
    @Override
    public Stage withContinual(@Nullable Continual newContinual) {
        return this;
    }
}
