package dev.lethe.eval;

import static dev.lethe.part.ParamTypes.integer;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import dev.lethe.data.Batch;
import dev.lethe.data.Encoded;
import dev.lethe.data.QaExample;
import dev.lethe.data.SplitData;
import dev.lethe.model.CausalLm;
import dev.lethe.model.Tokenizer;
import dev.lethe.part.Kind;
import dev.lethe.part.Param;
import java.util.ArrayList;
import java.util.List;

/**
 * The per-example margins that KLoM compares ({@code dev.lethe.report.Klom}; Georgiev et al. 2024, "Attribute-to-Delete",
 * arXiv:2410.23232, §2, "KLoM"). For a classifier the margin of a point with label y is
 * {@code z_y − log Σ_{k≠y} exp(z_k)}, the log-odds of the correct class. For a language model each answer token
 * (answer and closing {@code <eos>}, teacher-forced) is one such classification over the vocabulary, and an
 * example's margin is the mean of its answer tokens' margins (our adaptation). Computed from the logits, not from
 * log-probabilities, so a token predicted with probability 1 − 1e-9 keeps a finite margin of about 20.7.
 *
 * <p>Metric {@code margin}: the mean over the split's examples, with the per-example values kept (in the split's
 * order) for {@code dev.lethe.report.Klom.of}.
 *
 * @param batchSize examples per forward pass
 */
public record MarginSuite(int batchSize) implements Suite {
    /** The suite {@code margins}. */
    public static final Kind<MarginSuite> KIND = Kind.of("margins", MarginSuite.class,
            "per-example margins z_y − logsumexp_{k≠y} z_k, mean over answer tokens (the input of KLoM)",
            List.of(Param.of("batch_size", integer(1), 64, "examples per forward pass", MarginSuite::batchSize)),
            a -> new MarginSuite(a.integer("batch_size")));

    /** The mean answer-token margin; higher means the answers are known more surely. */
    public static final Metric MARGIN = new Metric("margin", Metric.Direction.HIGHER_KNOWS_MORE,
            Metric.Scope.PER_SPLIT, "mean answer-token margin z_y - logsumexp of the other logits (KLoM's input)");

    /** Checks the batch size. */
    public MarginSuite {
        if (batchSize < 1) {
            throw new IllegalArgumentException("margins: batch_size must be >= 1, was " + batchSize);
        }
    }

    @Override
    public List<Metric> metrics() {
        return List.of(MARGIN);
    }

    @Override
    public List<MetricValue> evaluate(CausalLm model, Tokenizer tokenizer, SplitData data) {
        List<QaExample> examples = data.examples();
        if (examples.isEmpty()) {
            return List.of();
        }
        double[] margins = margins(model, tokenizer, examples, batchSize);
        double sum = 0;
        for (double m : margins) {
            sum += m;
        }
        return List.of(new MetricValue(MARGIN, sum / margins.length, margins));
    }

    /** Each example's mean answer-token margin under {@code model}, in order, in batches of {@code batchSize}. */
    public static double[] margins(CausalLm model, Tokenizer tokenizer, List<QaExample> examples, int batchSize) {
        double[] out = new double[examples.size()];
        for (int start = 0; start < examples.size(); start += batchSize) {
            int end = Math.min(examples.size(), start + batchSize);
            List<Encoded> chunk = new ArrayList<>(end - start);
            for (QaExample e : examples.subList(start, end)) {
                chunk.add(Encoded.of(tokenizer, e.question(), e.answer()).fit(model.spec().contextLength()));
            }
            try (NDScope scope = new NDScope()) {
                Batch batch = Batch.of(chunk, tokenizer, model.manager());
                double[] m = meanMargins(model.forward(batch.inputs()).logits(), batch.targets(), batch.mask());
                System.arraycopy(m, 0, out, start, m.length);
            }
        }
        return out;
    }

    /**
     * Per row, the mean over the positions where {@code mask} is 1 of {@code z_y − log Σ_{k≠y} exp(z_k)}, y the
     * target.
     *
     * @param logits (batch, time, vocabulary)
     * @param targets (batch, time), integer token ids
     * @param mask (batch, time), 1 on the positions to count
     */
    static double[] meanMargins(NDArray logits, NDArray targets, NDArray mask) {
        NDArray z = logits.toType(DataType.FLOAT32, false);
        int vocabulary = (int) z.getShape().get(2);
        NDArray oneHot = targets.toType(DataType.INT64, false).oneHot(vocabulary).toType(DataType.FLOAT32, false);
        NDArray picked = z.mul(oneHot).sum(new int[] {-1});
        // the other logits: the target's pushed to −1e30, far below any logit, so its exp underflows to 0
        NDArray others = z.sub(oneHot.mul(1e30f));
        NDArray max = others.max(new int[] {-1}, true);
        NDArray lse = others.sub(max).exp().sum(new int[] {-1}).log().add(max.squeeze(-1));
        NDArray m = mask.toType(DataType.FLOAT32, false);
        NDArray perRow = picked.sub(lse).mul(m).sum(new int[] {1}).div(m.sum(new int[] {1}));
        float[] values = perRow.toFloatArray();
        double[] out = new double[values.length];
        for (int i = 0; i < values.length; i++) {
            out[i] = values[i];
        }
        return out;
    }
}
