package dev.lethe.eval;

import static dev.lethe.part.ParamTypes.integer;

import dev.lethe.data.MultipleChoice;
import dev.lethe.data.SplitData;
import dev.lethe.model.CausalLm;
import dev.lethe.model.Tokenizer;
import dev.lethe.part.Kind;
import dev.lethe.part.Param;
import java.util.ArrayList;
import java.util.List;

/**
 * Multiple-choice accuracy by log-likelihood, WMDP-style (Li et al. 2024, "The WMDP Benchmark: Measuring and
 * Reducing Malicious Use With Unlearning", arXiv:2403.03218: zero-shot accuracy of the option with the
 * highest likelihood, as EleutherAI's lm-evaluation-harness computes it).
 * Each option is scored as an answer after the question, teacher-forced, with the prompt masked:
 *
 * <ul>
 *   <li>{@code mc_accuracy}: the share of questions whose correct option has the highest <b>summed</b>
 *       log-likelihood Σ_t log p(y_t | x, y_&lt;t) (the harness's {@code acc});
 *   <li>{@code mc_accuracy_norm}: the same with the log-likelihood divided by the option's token count
 *       (the harness's {@code acc_norm} divides by the byte length instead).
 * </ul>
 *
 * <p>Ties go to the first option, as {@code numpy.argmax} does in the harness. Two differences from WMDP's
 * harness task, both because a word-level model of 1 M parameters has never seen a lettered prompt: the option
 * text itself is the continuation (the harness's cloze form, as for ARC), not the letter after a prompt that
 * lists "A. … D."; and, as everywhere in Lethe, an option's tokens include the closing {@code <eos>}, so an
 * option must also end where the model would stop.
 *
 * @param batchSize options per forward pass
 */
public record MultipleChoiceSuite(int batchSize) implements Suite {
    /** The suite {@code multiple_choice}. */
    public static final Kind<MultipleChoiceSuite> KIND = Kind.of("multiple_choice", MultipleChoiceSuite.class,
            "WMDP-style 4-option accuracy by log-likelihood (Li et al. 2024)",
            List.of(Param.of("batch_size", integer(1), 64, "examples per forward pass",
                    MultipleChoiceSuite::batchSize)),
            a -> new MultipleChoiceSuite(a.integer("batch_size")));

    /** Share of questions whose correct option has the highest summed log-likelihood. */
    public static final Metric ACCURACY = new Metric("mc_accuracy", Metric.Direction.HIGHER_KNOWS_MORE,
            Metric.Scope.PER_SPLIT, "multiple-choice accuracy by summed log-likelihood").within(0, 1);
    /** The same with the log-likelihood divided by the option's token count. */
    public static final Metric ACCURACY_NORM = new Metric("mc_accuracy_norm", Metric.Direction.HIGHER_KNOWS_MORE,
            Metric.Scope.PER_SPLIT, "multiple-choice accuracy by length-normalised log-likelihood").within(0, 1);

    @Override
    public List<Metric> metrics() {
        return List.of(ACCURACY, ACCURACY_NORM);
    }

    @Override
    public List<MetricValue> evaluate(CausalLm model, Tokenizer tokenizer, SplitData data) {
        List<MultipleChoice> choices = data.choices();
        if (choices.isEmpty()) {
            return List.of();
        }
        List<String> prompts = new ArrayList<>();
        List<String> answers = new ArrayList<>();
        for (MultipleChoice c : choices) {
            for (String option : c.options()) {
                prompts.add(c.question());
                answers.add(option);
            }
        }
        List<TokenLogProbs> scored = new AnswerScorer(model, tokenizer, batchSize).score(prompts, answers);
        List<List<double[]>> logProbs = new ArrayList<>();
        int k = 0;
        for (MultipleChoice c : choices) {
            List<double[]> options = new ArrayList<>();
            for (int o = 0; o < c.options().size(); o++) {
                options.add(scored.get(k++).logProbs());
            }
            logProbs.add(options);
        }
        return accuracies(choices, logProbs);
    }

    /**
     * {@code mc_accuracy} and {@code mc_accuracy_norm} from each option's per-token log-probabilities
     * ({@code logProbs.get(i).get(o)} for option o of question i), with the 0/1 hit of every question kept.
     */
    static List<MetricValue> accuracies(List<MultipleChoice> choices, List<List<double[]>> logProbs) {
        double[] hit = new double[choices.size()];
        double[] hitNorm = new double[choices.size()];
        for (int i = 0; i < hit.length; i++) {
            List<double[]> options = logProbs.get(i);
            double[] sum = new double[options.size()];
            double[] mean = new double[options.size()];
            for (int o = 0; o < sum.length; o++) {
                for (double lp : options.get(o)) {
                    sum[o] += lp;
                }
                mean[o] = sum[o] / options.get(o).length;
            }
            hit[i] = argmax(sum) == choices.get(i).answer() ? 1 : 0;
            hitNorm[i] = argmax(mean) == choices.get(i).answer() ? 1 : 0;
        }
        return List.of(new MetricValue(ACCURACY, TofuSuite.mean(hit), hit),
                new MetricValue(ACCURACY_NORM, TofuSuite.mean(hitNorm), hitNorm));
    }

    /** Index of the largest value; the first one on ties. */
    static int argmax(double[] v) {
        int best = 0;
        for (int i = 1; i < v.length; i++) {
            if (v[i] > v[best]) {
                best = i;
            }
        }
        return best;
    }
}
