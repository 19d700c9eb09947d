package dev.lethe.eval;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import dev.lethe.data.Batch;
import dev.lethe.data.Encoded;
import dev.lethe.data.QaExample;
import dev.lethe.model.CausalLm;
import dev.lethe.model.Tokenizer;
import java.util.ArrayList;
import java.util.List;

/**
 * The retrain comparison: how far a model's next-token distributions are from the reference model's (the
 * one retrained without the forget split), as the mean per-token Kullback–Leibler divergence
 * <pre>
 *   KL(π_ref ‖ π) = (1/N) Σ_{answer tokens t} Σ_v π_ref(v | x_&lt;t) · (log π_ref(v | x_&lt;t) − log π(v | x_&lt;t))
 * </pre>
 * over the N answer tokens (answer and closing {@code <eos>}; prompt and padding masked) of all
 * examples, teacher-forced on the true prefix. This is the distribution-level "does it behave like the
 * retrained model" comparison of Maini et al. 2024 ("TOFU: A Task of Fictitious Unlearning for LLMs",
 * arXiv:2401.06121, §2.5, forget quality against the retain model), computed directly on the
 * distributions instead of through a statistic of them; the KL form is the one NPO's reference term and
 * KL-retain use (Zhang et al. 2024, "Negative Preference Optimization", arXiv:2404.05868, §3). Computed
 * without gradients, in batches.
 */
public final class ReferenceKl {
    /** The mean per-token KL(π_reference ‖ π_model) on a split; 0 means the model behaves as the reference there. */
    public static final Metric KL_TO_REFERENCE = new Metric("kl_to_reference", Metric.Direction.HIGHER_IS_WORSE,
            Metric.Scope.PER_SPLIT, "mean per-token KL divergence from the reference model on the answers");

    private ReferenceKl() {}

    /** Sum and count of the masked per-token divergences, so batches can be pooled. */
    record Total(double sum, double tokens) {}

    /** The mean per-token KL(π_reference ‖ π_model) over the answer tokens of {@code examples}; NaN when empty. */
    public static double meanKl(CausalLm reference, CausalLm model, Tokenizer tokenizer, List<QaExample> examples,
            int batchSize) {
        if (batchSize < 1) {
            throw new IllegalArgumentException("batchSize must be >= 1, was " + batchSize);
        }
        double sum = 0;
        double tokens = 0;
        for (int start = 0; start < examples.size(); start += batchSize) {
            int end = Math.min(examples.size(), start + batchSize);
            List<Encoded> chunk = new ArrayList<>(end - start);
            for (QaExample e : examples.subList(start, end)) {
                chunk.add(Encoded.of(tokenizer, e.question(), e.answer()).fit(model.spec().contextLength()));
            }
            try (NDScope scope = new NDScope()) {
                Batch batch = Batch.of(chunk, tokenizer, model.manager());
                NDArray refLogits = reference.forward(batch.inputs()).logits();
                NDArray logits = model.forward(batch.inputs()).logits();
                Total t = maskedKl(refLogits, logits, batch.mask());
                sum += t.sum();
                tokens += t.tokens();
            }
        }
        return tokens == 0 ? Double.NaN : sum / tokens;
    }

    /**
     * Σ over positions with {@code mask = 1} of KL(softmax(refLogits) ‖ softmax(logits)) along the last
     * axis, and Σ mask.
     *
     * @param refLogits the reference's logits, (batch, time, vocab)
     * @param logits the compared model's logits, same shape
     * @param mask 1 on the positions to count, 0 elsewhere, (batch, time)
     */
    static Total maskedKl(NDArray refLogits, NDArray logits, NDArray mask) {
        NDArray refLog = refLogits.toType(DataType.FLOAT32, false).logSoftmax(-1);
        NDArray log = logits.toType(DataType.FLOAT32, false).logSoftmax(-1);
        NDArray perPosition = refLog.exp().mul(refLog.sub(log)).sum(new int[] {-1});
        NDArray m = mask.toType(DataType.FLOAT32, false);
        double sum = perPosition.mul(m).sum().toType(DataType.FLOAT64, false).getDouble();
        double tokens = m.sum().toType(DataType.FLOAT64, false).getDouble();
        return new Total(sum, tokens);
    }
}
