package dev.lethe.objective;

import static dev.lethe.part.ParamTypes.integer;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import dev.lethe.data.Split;
import dev.lethe.part.Kind;
import dev.lethe.part.Param;
import dev.lethe.part.PartText;
import java.util.List;

/**
 * CE-U, cross-entropy unlearning (Yang et al. 2025, "CE-U: Cross Entropy Unlearning", arXiv:2503.01224, the CE-U
 * loss and, for the skipped tokens, the footnote of its training settings; open-unlearning's
 * {@code cross_entropy_unlearning_loss} and {@code compute_batch_ceu}, which the formula below was checked
 * against). At each answer position the model is trained by cross-entropy towards its own detached next-token
 * distribution with the answer token removed:
 * <pre>
 *   q_t = softmax(sg(z_t) with z_t(y_t) = −∞)       the answer token gets probability 0, the rest renormalised
 *   L   = (1/N)·Σ_t CE(z_t, q_t) = −(1/N)·Σ_t Σ_v q_t(v)·log softmax(z_t)(v)
 * </pre>
 * over the N answer positions of the forget batch (answer tokens and the closing {@code <eos>}) except the first
 * {@code skip} of each example, pooled over the batch. Its gradient in the logits is softmax(z) − q: it lowers the
 * answer token and moves its mass to the others in proportion to their own probabilities, without the unbounded
 * push of gradient ascent. The loss is the forget term alone (open-unlearning's CE-U trainer has no retain term);
 * add one with {@code plus}.
 *
 * <p>Skipped tokens: the paper's footnote and open-unlearning's {@code ignore_first_n_answer_tokens = 1} leave the
 * first answer token out (its prediction from the question alone is not the fact to forget). A row with no more
 * than {@code skip} answer positions contributes nothing; a batch of such rows is refused with an error rather
 * than averaged over zero positions (open-unlearning's mean would be NaN). Because the skipped positions make its
 * token count differ from the batch mask's, it does not accumulate over micro-batches.
 *
 * @param skip how many leading answer tokens of each example are left out, ≥ 0; 1 by default (open-unlearning's)
 */
public record CeU(int skip) implements Objective {
    /** The objective {@code ce_u}. */
    public static final Kind<CeU> KIND = Kind.of("ce_u", CeU.class,
            "CE-U: cross-entropy to the model's detached distribution with the answer token removed "
                    + "(Yang et al. 2025)",
            List.of(Param.of("skip", integer(0), 1, "leading answer tokens of each example left out", CeU::skip)),
            a -> new CeU(a.integer("skip")));

    /** As a recipe file writes it ({@link PartText}). */
    @Override
    public String toString() {
        return PartText.of(this, List.of(KIND));
    }

    /** Validates the number of skipped tokens. */
    public CeU {
        if (skip < 0) {
            throw new IllegalArgumentException("CE-U skip must be >= 0, was " + skip);
        }
    }

    @Override
    public NDArray loss(Step step) {
        TokenScores forget = step.scores(Split.FORGET);
        NDArray logits = forget.output().logits();
        NDArray mask = forget.mask();
        NDArray kept = mask.mul(mask.cumSum(1).gt(skip).toType(mask.getDataType(), false));
        if (kept.sum().toType(DataType.FLOAT64, false).getDouble() == 0) {
            throw new IllegalArgumentException("CE-U has no answer position to train on: every answer of the forget "
                    + "batch has at most " + skip + " token(s), all skipped (lower skip)");
        }
        NDArray q = SoftTargets.withoutTarget(logits, step.batch(Split.FORGET).targets());
        return SoftTargets.maskedMean(SoftTargets.crossEntropy(logits, q), kept);
    }
}
