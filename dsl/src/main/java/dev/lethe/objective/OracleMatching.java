package dev.lethe.objective;

import static dev.lethe.part.ParamTypes.choice;
import static dev.lethe.part.ParamTypes.list;
import static dev.lethe.part.ParamTypes.real;

import ai.djl.ndarray.NDArray;
import dev.lethe.data.Split;
import dev.lethe.part.Kind;
import dev.lethe.part.Param;
import dev.lethe.part.ParamTypes.Range;
import dev.lethe.part.PartText;
import java.util.List;

/**
 * Oracle matching (Georgiev et al. 2024, "Attribute-to-Delete: Machine Unlearning via Datamodel Matching",
 * arXiv:2410.23232, §3 "Oracle Matching", Algorithm 1 with the oracle's outputs as the target): fine-tune the model
 * so that its logits on forget and retain points equal the <em>oracle</em>'s, the model retrained without the forget
 * set ({@link Step#oracleScores}: the run's reference stage, which Lethe trains or loads; the paper averages 10
 * oracles, Lethe has one). The loss is {@link LogitMatching}'s: the mean squared error over answer positions ×
 * vocabulary, or the soft cross-entropy to the oracle's softmax, plus λ·‖θ − θ₀‖². It needs the oracle, so it is
 * the upper bound a practical method (e.g. {@link DatamodelMatching}) approaches, not itself a practical method.
 *
 * @param splits the splits whose batches are matched (forget and retain by default)
 * @param matchLoss MSE (the paper's) or soft cross-entropy
 * @param proximity the weight λ ≥ 0 of ‖θ − θ₀‖², θ₀ the model the stage started from (0: none, the paper's runs)
 */
public record OracleMatching(List<Split> splits, MatchLoss matchLoss, double proximity) implements Objective {
    /** The objective {@code oracle_matching}. */
    public static final Kind<OracleMatching> KIND = Kind.of("oracle_matching", OracleMatching.class,
            "fine-tune to the oracle's (the reference model's) logits on forget and retain answers (Georgiev et al. "
                    + "2024, Attribute-to-Delete)",
            List.of(Param.of("splits", list(Split.TYPE, 1), List.of(Split.FORGET, Split.RETAIN),
                            "the splits whose answers are matched", OracleMatching::splits),
                    Param.of("loss", choice(MatchLoss.class), MatchLoss.MSE,
                            "mse over answer positions × vocabulary, or soft_ce to the oracle's softmax",
                            (OracleMatching x) -> x.matchLoss()),
                    Param.of("proximity", real(Range.nonNegative()), 0.0,
                            "weight λ of ‖θ − θ₀‖² (the authors' wd_lambda)", OracleMatching::proximity)),
            a -> new OracleMatching(a.list("splits"), a.get("loss"), a.real("proximity")));

    /** Checks the splits (distinct, at least one) and λ. */
    public OracleMatching {
        splits = LogitMatching.check("oracle_matching", splits, proximity);
    }

    /** As a recipe file writes it ({@link PartText}). */
    @Override
    public String toString() {
        return PartText.of(this, List.of(KIND));
    }

    @Override
    public NDArray loss(Step step) {
        return LogitMatching.loss(step, splits, matchLoss, proximity, (s, split) -> s.oracleScores(split).output().logits());
    }
}
