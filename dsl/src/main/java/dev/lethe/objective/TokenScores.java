package dev.lethe.objective;

import ai.djl.ndarray.NDArray;
import dev.lethe.data.Batch;
import dev.lethe.model.ModelOutput;

/**
 * Per-token log-probabilities of a batch's targets under a model, with prompt and padding masked out.
 *
 * @param tokenLogProbs log p(target_t | prefix), (batch, time); 0 where the mask is 0
 * @param mask 1 on answer tokens (and the closing {@code <eos>}), (batch, time)
 * @param output the forward pass the scores come from (logits, hidden states if requested)
 */
public record TokenScores(NDArray tokenLogProbs, NDArray mask, ModelOutput output) {

    /** Scores the targets of {@code batch} under {@code output}'s logits. */
    public static TokenScores of(ModelOutput output, Batch batch) {
        NDArray logProbs = output.logits().logSoftmax(-1);
        NDArray picked = logProbs.gather(batch.targets().expandDims(-1), -1).squeeze(-1);
        return new TokenScores(picked.mul(batch.mask()), batch.mask(), output);
    }

    /** log π(y|x) = Σ_t log p(y_t | x, y_&lt;t) over answer tokens, shape (batch). */
    public NDArray sequenceLogProb() {
        return tokenLogProbs.sum(new int[] {1});
    }

    /** Number of answer tokens per row, shape (batch). */
    public NDArray answerLengths() {
        return mask.sum(new int[] {1});
    }

    /** avgNLL = −log π(y|x) / n, the mean negative log-likelihood per answer token, shape (batch). */
    public NDArray meanNll() {
        return sequenceLogProb().neg().div(answerLengths());
    }
}
