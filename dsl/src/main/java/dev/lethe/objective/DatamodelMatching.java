package dev.lethe.objective;

import static dev.lethe.part.ParamTypes.choice;
import static dev.lethe.part.ParamTypes.list;
import static dev.lethe.part.ParamTypes.real;

import ai.djl.ndarray.NDArray;
import dev.lethe.data.Split;
import dev.lethe.model.Scalars;
import dev.lethe.part.Kind;
import dev.lethe.part.Param;
import dev.lethe.part.ParamTypes.Range;
import dev.lethe.part.PartText;
import java.util.List;

/**
 * Datamodel matching, DMM (Georgiev et al. 2024, "Attribute-to-Delete: Machine Unlearning via Datamodel Matching",
 * arXiv:2410.23232, §3, Algorithm 1): oracle matching whose target is not the oracle's output but a datamodel's
 * prediction of it. For point j (here: each answer position of each example, over the vocabulary) the target is
 * <pre>
 *   ẑ_j = f_θ₀(x_j) − m · Σ_{i∈F} β_ij
 * </pre>
 * with f_θ₀ the model the stage started from ({@link Step#referenceScores}), β_ij the effect of training example i
 * on output j estimated by the {@code attribute} stage ({@link Step#attributedShift}: a datamodel regressed on
 * models trained on random subsets), and m a multiplier (1 in the paper). The loss is {@link LogitMatching}'s
 * (MSE over answer positions × vocabulary, or soft cross-entropy, plus λ·‖θ − θ₀‖²). Serving ẑ itself without
 * fine-tuning is the paper's "DM-direct".
 *
 * @param splits the splits whose batches are matched (forget and retain by default)
 * @param matchLoss MSE (the paper's) or soft cross-entropy
 * @param proximity the weight λ ≥ 0 of ‖θ − θ₀‖² (0: none)
 * @param multiplier the paper's m, how much of the attributed effect of the forget set is removed (1)
 */
public record DatamodelMatching(List<Split> splits, MatchLoss matchLoss, double proximity, double multiplier)
        implements Objective {
    /** The objective {@code datamodel_matching}. */
    public static final Kind<DatamodelMatching> KIND = Kind.of("datamodel_matching", DatamodelMatching.class,
            "fine-tune to f_θ₀ − m·Σ_{i∈F} β, the attribute stage's prediction of the oracle's logits (Georgiev et "
                    + "al. 2024, Attribute-to-Delete, DMM)",
            List.of(Param.of("splits", list(Split.TYPE, 1), List.of(Split.FORGET, Split.RETAIN),
                            "the splits whose answers are matched", DatamodelMatching::splits),
                    Param.of("loss", choice(MatchLoss.class), MatchLoss.MSE,
                            "mse over answer positions × vocabulary, or soft_ce to the target's softmax",
                            (DatamodelMatching x) -> x.matchLoss()),
                    Param.of("proximity", real(Range.nonNegative()), 0.0, "weight λ of ‖θ − θ₀‖² (the authors' wd_lambda)",
                            DatamodelMatching::proximity),
                    Param.of("multiplier", real(Range.any()), 1.0, "m: the share of the forget set's attributed "
                            + "effect removed", DatamodelMatching::multiplier)),
            a -> new DatamodelMatching(a.list("splits"), a.get("loss"), a.real("proximity"), a.real("multiplier")));

    /** Checks the splits (distinct, at least one), λ and m. */
    public DatamodelMatching {
        splits = LogitMatching.check("datamodel_matching", splits, proximity);
        if (!Double.isFinite(multiplier)) {
            throw new IllegalArgumentException("datamodel_matching: multiplier must be finite, was " + multiplier);
        }
    }

    /** As a recipe file writes it ({@link PartText}). */
    @Override
    public String toString() {
        return PartText.of(this, List.of(KIND));
    }

    /** The target logits ẑ = f_θ₀(x) − m·shift of this step's batch of {@code split}, without gradient. */
    public NDArray target(Step step, Split split) {
        NDArray start = step.referenceScores(split).output().logits().stopGradient();
        return start.sub(Scalars.times(step.attributedShift(split).toType(start.getDataType(), false), multiplier));
    }

    @Override
    public NDArray loss(Step step) {
        return LogitMatching.loss(step, splits, matchLoss, proximity, this::target);
    }
}
