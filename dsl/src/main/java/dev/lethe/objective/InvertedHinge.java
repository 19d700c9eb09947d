package dev.lethe.objective;

import ai.djl.ndarray.NDArray;
import dev.lethe.data.Batch;
import dev.lethe.data.Split;
import dev.lethe.part.Kind;
import dev.lethe.part.Param;
import dev.lethe.part.PartText;
import java.util.List;

/**
 * Inverted hinge loss (Cha, Cho, Hwang and Lee, ICLR 2025, "Towards Robust and Parameter-Efficient
 * Knowledge Unlearning for LLMs", the IHL of its LoKU framework): per answer token,
 * {@code 1 + p_θ(y_t|x, y_<t) − max_{v≠y_t} p_θ(v|x, y_<t)}, averaged over the answer tokens of this step's
 * batch of {@code split} (prompt and padding masked). Minimising it moves probability from the true token to
 * the runner-up only, instead of spreading it over the vocabulary as gradient ascent does; it is bounded
 * (in [0, 2]).
 *
 * @param split the split to forget, usually {@link Split#FORGET}
 */
public record InvertedHinge(Split split) implements SplitObjective, Objective.TokenMean {
    /** The objective {@code inverted_hinge}. */
    public static final Kind<InvertedHinge> KIND = Kind.of("inverted_hinge", InvertedHinge.class,
            "the inverted hinge loss (LoKU)",
            List.of(Param.of("split", Split.TYPE, Split.FORGET, "the split whose batch it reads",
                    InvertedHinge::split)),
            a -> new InvertedHinge(a.get("split")));

    /** As a recipe file writes it ({@link PartText}). */
    @Override
    public String toString() {
        return PartText.of(this, List.of(KIND));
    }

    /** The same objective on {@code other}'s batch. */
    @Override
    public InvertedHinge on(Split other) {
        return new InvertedHinge(other);
    }

    /** Averages over the answer tokens of {@link #split()} (accumulates over micro-batches). */
    @Override
    public Split tokensOf() {
        return split;
    }

    @Override
    public NDArray loss(Step step) {
        TokenScores scores = step.scores(split);
        Batch batch = step.batch(split);
        NDArray mask = scores.mask();
        NDArray probs = scores.output().logits().softmax(-1);
        int vocab = (int) probs.getShape().get(probs.getShape().dimension() - 1);
        // a constant (no gradient), so the cast to the logits' type is safe
        NDArray oneHot = batch.targets().oneHot(vocab).toType(probs.getDataType(), false);
        NDArray target = probs.mul(oneHot).sum(new int[] {-1});
        NDArray runnerUp = probs.sub(probs.mul(oneHot)).max(new int[] {-1});
        NDArray perToken = mask.add(target.sub(runnerUp).mul(mask));
        return perToken.sum().div(mask.sum());
    }
}
