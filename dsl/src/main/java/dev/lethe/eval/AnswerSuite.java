package dev.lethe.eval;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import dev.lethe.data.Batch;
import dev.lethe.data.Encoded;
import dev.lethe.data.QaExample;
import dev.lethe.model.CausalLm;
import dev.lethe.model.ModelOutput;
import dev.lethe.model.Tokenizer;
import dev.lethe.objective.TokenScores;
import java.util.ArrayList;
import java.util.List;

/**
 * Teacher-forced answer metrics, each a mean over the split's examples (answer tokens = the answer and
 * its closing {@code <eos>}; the prompt is masked):
 *
 * <ul>
 *   <li>{@code nll}: avgNLL, the mean negative log-likelihood per answer token;
 *   <li>{@code probability}: exp(−avgNLL), TOFU's length-normalised answer probability;
 *   <li>{@code exact_match}: 1 when greedy decoding from the prompt reproduces the answer and then stops.
 *       Greedy decoding reproduces the answer exactly when the argmax at every answer position, given the
 *       true prefix, is the true token; so it is computed from one teacher-forced pass;
 *   <li>{@code token_accuracy}: the share of answer tokens whose argmax is the label (TOFU's "exact
 *       memorisation"), averaged per example.
 * </ul>
 *
 * @param batchSize examples per forward pass
 */
public record AnswerSuite(int batchSize) implements Suite {

    @Override
    public List<MetricValue> evaluate(CausalLm model, Tokenizer tokenizer, List<QaExample> examples) {
        if (examples.isEmpty()) {
            return List.of();
        }
        double nll = 0;
        double probability = 0;
        double exact = 0;
        double accuracy = 0;
        for (int start = 0; start < examples.size(); start += batchSize) {
            List<Encoded> chunk = new ArrayList<>();
            for (QaExample e : examples.subList(start, Math.min(examples.size(), start + batchSize))) {
                chunk.add(Encoded.of(tokenizer, e.question(), e.answer()));
            }
            try (NDScope scope = new NDScope()) {
                Batch batch = Batch.of(chunk, tokenizer, model.manager());
                ModelOutput out = model.forward(batch.inputs());
                TokenScores scores = TokenScores.of(out, batch);
                NDArray lengths = scores.answerLengths();
                NDArray rowNll = scores.meanNll();
                NDArray correct = out.logits().argMax(-1).eq(batch.targets()).toType(DataType.FLOAT32, false)
                        .mul(batch.mask()).sum(new int[] {1});
                float[] n = rowNll.toFloatArray();
                float[] c = correct.toFloatArray();
                float[] len = lengths.toFloatArray();
                for (int i = 0; i < n.length; i++) {
                    nll += n[i];
                    probability += Math.exp(-n[i]);
                    exact += c[i] == len[i] ? 1 : 0;
                    accuracy += c[i] / len[i];
                }
            }
        }
        int count = examples.size();
        return List.of(new MetricValue("nll", nll / count), new MetricValue("probability", probability / count),
                new MetricValue("exact_match", exact / count), new MetricValue("token_accuracy", accuracy / count));
    }
}
