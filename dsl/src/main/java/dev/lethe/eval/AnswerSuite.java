package dev.lethe.eval;

import static dev.lethe.part.ParamTypes.integer;

import dev.lethe.data.QaExample;
import dev.lethe.data.SplitData;
import dev.lethe.model.CausalLm;
import dev.lethe.model.Tokenizer;
import dev.lethe.part.Kind;
import dev.lethe.part.Param;
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
 *   <li>{@code token_accuracy}: the share of answer tokens whose argmax is the label, averaged per example;
 *       it counts the closing {@code <eos>}, which open-unlearning's exact memorisation leaves out (that one is
 *       {@code exact_memorization} in {@link TofuSuite}).
 * </ul>
 *
 * @param batchSize examples per forward pass
 */
public record AnswerSuite(int batchSize) implements Suite {
    /** The suite {@code answers}. */
    public static final Kind<AnswerSuite> KIND = Kind.of("answers", AnswerSuite.class,
            "NLL, probability, exact match, token accuracy",
            List.of(Param.of("batch_size", integer(1), 64, "examples per forward pass", AnswerSuite::batchSize)),
            a -> new AnswerSuite(a.integer("batch_size")));

    /** avgNLL of the answer tokens; lower means the answers are known. */
    public static final Metric NLL = new Metric("nll", Metric.Direction.HIGHER_KNOWS_LESS, Metric.Scope.PER_SPLIT,
            "mean negative log-likelihood per answer token");
    /** exp(−avgNLL), TOFU's length-normalised answer probability. */
    public static final Metric PROBABILITY = new Metric("probability", Metric.Direction.HIGHER_KNOWS_MORE,
            Metric.Scope.PER_SPLIT, "length-normalised answer probability exp(-avgNLL)").within(0, 1);
    /** Share of answers that greedy decoding reproduces exactly. */
    public static final Metric EXACT_MATCH = new Metric("exact_match", Metric.Direction.HIGHER_KNOWS_MORE,
            Metric.Scope.PER_SPLIT, "share of answers greedy decoding reproduces exactly").within(0, 1);
    /** Share of answer tokens whose argmax is the label, averaged per example. */
    public static final Metric TOKEN_ACCURACY = new Metric("token_accuracy", Metric.Direction.HIGHER_KNOWS_MORE,
            Metric.Scope.PER_SPLIT, "share of answer tokens whose argmax is the label").within(0, 1);

    @Override
    public List<Metric> metrics() {
        return List.of(NLL, PROBABILITY, EXACT_MATCH, TOKEN_ACCURACY);
    }

    @Override
    public List<MetricValue> evaluate(CausalLm model, Tokenizer tokenizer, SplitData data) {
        List<QaExample> examples = data.examples();
        if (examples.isEmpty()) {
            return List.of();
        }
        List<TokenLogProbs> scored = new AnswerScorer(model, tokenizer, batchSize).scoreAnswers(examples);
        double nll = 0;
        double probability = 0;
        double exact = 0;
        double accuracy = 0;
        for (TokenLogProbs s : scored) {
            double n = s.meanNll();
            nll += n;
            probability += Math.exp(-n);
            exact += s.exactMatch() ? 1 : 0;
            int hits = 0;
            for (boolean h : s.argmaxCorrect()) {
                hits += h ? 1 : 0;
            }
            accuracy += (double) hits / s.length();
        }
        int count = examples.size();
        return List.of(new MetricValue(NLL, nll / count), new MetricValue(PROBABILITY, probability / count),
                new MetricValue(EXACT_MATCH, exact / count), new MetricValue(TOKEN_ACCURACY, accuracy / count));
    }
}
