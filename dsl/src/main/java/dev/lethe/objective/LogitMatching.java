package dev.lethe.objective;

import ai.djl.ndarray.NDArray;
import dev.lethe.data.Split;
import dev.lethe.model.Scalars;
import java.util.List;
import java.util.function.BiFunction;

/**
 * The loss of Attribute-to-Delete's matching objectives (Georgiev et al. 2024, "Attribute-to-Delete: Machine
 * Unlearning via Datamodel Matching", arXiv:2410.23232, §3, Algorithm 1): fine-tune the model so that its outputs
 * on forget and retain points equal target outputs, the oracle's ({@link OracleMatching}) or a datamodel's
 * prediction of them ({@link DatamodelMatching}). The paper's models are classifiers, whose outputs are the class
 * logits of each image; for a language model the "classes" are the vocabulary at each answer position, so each
 * answer position (the batch's {@link dev.lethe.data.Batch#mask()}: answer tokens and the closing {@code <eos>})
 * of each example plays the part of one classified point. With z the trained logits, ẑ the target's and M the
 * answer positions of the union of the splits' batches, V the vocabulary size:
 * <pre>
 *   MSE:     L = (1/|M|)·Σ_{(b,t)∈M} (1/V)·Σ_v (z_{btv} − ẑ_{btv})²           (the paper's, mean over points × classes)
 *   soft CE: L = (1/|M|)·Σ_{(b,t)∈M} −Σ_v softmax(ẑ_{bt})_v · log softmax(z_{bt})_v   (the option)
 *   + λ·‖θ − θ₀‖²                                                            (λ = 0 by default, as the paper's runs)
 * </pre>
 * The target has no gradient. Forget and retain rows weigh alike, each answer position once: the paper's batches
 * hold the forget points and 3·|F| retain points; here each split's batch is the stage's {@code batch_size}, and
 * the paper's 1:3 weighting is a sum of two objectives, each on one split:
 * {@code oracleMatching on [forget] + 3 × oracleMatching on [retain]} (each a mean over its own positions). With
 * 1:1 batches the forget positions, far from their target, dominate the loss, and the retain outputs drift (the
 * built-in benchmark: retain exact match 1.0 → 0.65 after 100 steps at Adam 5e-4).
 */
final class LogitMatching {
    private LogitMatching() {}

    /**
     * The matching loss over {@code splits}, the target of each split's batch given by {@code target} (the step and
     * the split → logits (batch, time, vocabulary), no gradient), plus {@code proximity}·‖θ − θ₀‖² when λ > 0.
     */
    static NDArray loss(Step step, List<Split> splits, MatchLoss loss, double proximity,
            BiFunction<Step, Split, NDArray> target) {
        NDArray total = null;
        NDArray positions = null;
        for (Split split : splits) {
            TokenScores trained = step.scores(split);
            NDArray mask = trained.mask();
            NDArray z = trained.output().logits();
            NDArray zHat = target.apply(step, split).stopGradient().toType(z.getDataType(), false);
            NDArray perPosition = loss == MatchLoss.MSE
                    ? z.sub(zHat).square().mean(new int[] {-1})
                    : zHat.softmax(-1).mul(z.logSoftmax(-1)).sum(new int[] {-1}).neg();
            NDArray sum = perPosition.mul(mask).sum();
            NDArray count = mask.sum();
            total = total == null ? sum : total.add(sum);
            positions = positions == null ? count : positions.add(count);
        }
        if (total == null || positions == null) {
            throw new IllegalArgumentException("a matching objective needs at least one split");
        }
        NDArray out = total.div(positions);
        return proximity == 0 ? out : out.add(Scalars.times(step.squaredDistanceFromStart(), proximity));
    }

    /** Checks the splits and the proximity weight λ of a matching objective called {@code name}. */
    static List<Split> check(String name, List<Split> splits, double proximity) {
        if (splits.isEmpty() || splits.stream().distinct().count() != splits.size()) {
            throw new IllegalArgumentException(name + ": splits must be distinct and at least one, were " + splits);
        }
        if (!(proximity >= 0) || !Double.isFinite(proximity)) {
            throw new IllegalArgumentException(name + ": proximity must be finite and >= 0, was " + proximity);
        }
        return List.copyOf(splits);
    }
}
