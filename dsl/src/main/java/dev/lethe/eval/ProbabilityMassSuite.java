package dev.lethe.eval;

import static dev.lethe.part.ParamTypes.integer;

import dev.lethe.data.QaExample;
import dev.lethe.data.SplitData;
import dev.lethe.eval.stats.TruthRatio;
import dev.lethe.model.CausalLm;
import dev.lethe.model.Tokenizer;
import dev.lethe.part.Kind;
import dev.lethe.part.Param;
import java.util.List;

/**
 * Where a split's probability mass sits between the paraphrased answer and the perturbed (wrong) answers, the two
 * halves of TOFU's truth ratio (Maini et al. 2024, §2.5) read separately, as Yu, He, Goyal and Arora (2025, "On the
 * impossibility of retrain equivalence in machine unlearning", arXiv 2510.16629) follow them during unlearning:
 * whether unlearning squeezes the forget answers' mass into paraphrases or into alternative answers. Both from
 * TOFU's length-normalised probability P̃(a | q) = exp(−avgNLL(a | q)) after the (unparaphrased) question, one
 * teacher-forced pass per answer, so cheap enough for continual evaluation:
 *
 * <ul>
 *   <li>{@code paraphrased_probability}: mean over examples of P̃(paraphrased answer | question);
 *   <li>{@code perturbed_probability}: mean over examples of the arithmetic mean over its perturbed answers of
 *       P̃(perturbed answer | question);
 *   <li>{@code paraphrased_share}: mean over examples of P̃(paraphrased) / (P̃(paraphrased) + Σ_j P̃(perturbed_j)),
 *       the paraphrase's share of the mass among the answers in the same frame (TOFU's normalised probability of
 *       the world and real-authors splits, with the paraphrased answer as the correct one): scale-free, so it
 *       reads the same whether the model gives these sentences much or little probability; 1/(1 + k) for k
 *       perturbed answers when it cannot tell them apart.
 * </ul>
 *
 * <p>Only examples with perturbed answers count (as TOFU's {@code *_perturbed} files); a split without any gives no
 * value. The truth ratio's R is the geometric mean of the perturbed P̃ over the paraphrased P̃; these are the
 * arithmetic means of the two, so they read as probability mass.
 *
 * @param batchSize examples per forward pass
 */
public record ProbabilityMassSuite(int batchSize) implements Suite {
    /** The suite {@code mass}. */
    public static final Kind<ProbabilityMassSuite> KIND = Kind.of("mass", ProbabilityMassSuite.class,
            "where the mass goes: probability of the paraphrased and of the perturbed answers (TOFU's P̃; "
                    + "Yu et al. 2025)",
            List.of(Param.of("batch_size", integer(1), 64, "examples per forward pass",
                    ProbabilityMassSuite::batchSize)),
            a -> new ProbabilityMassSuite(a.integer("batch_size")));

    /** Mean P̃ of the paraphrased (correct) answer after the question. */
    public static final Metric PARAPHRASED = new Metric("paraphrased_probability", Metric.Direction.HIGHER_KNOWS_MORE,
            Metric.Scope.PER_SPLIT, "mean length-normalised probability of the paraphrased answer").within(0, 1);
    /**
     * Mean over examples of the mean P̃ of its perturbed (wrong) answers after the question; more mass on wrong
     * answers reads as knowing less of the split (on forget after unlearning: the mass went to alternatives).
     */
    public static final Metric PERTURBED = new Metric("perturbed_probability", Metric.Direction.HIGHER_KNOWS_LESS,
            Metric.Scope.PER_SPLIT, "mean length-normalised probability of the perturbed (wrong) answers").within(0, 1);

    /** Mean share P̃(paraphrased) / (P̃(paraphrased) + Σ P̃(perturbed)): where the mass among the answers sits. */
    public static final Metric SHARE = new Metric("paraphrased_share", Metric.Direction.HIGHER_KNOWS_MORE,
            Metric.Scope.PER_SPLIT, "mean share of the paraphrased answer in the probability of it and the perturbed "
                    + "answers").within(0, 1);

    @Override
    public List<Metric> metrics() {
        return List.of(PARAPHRASED, PERTURBED, SHARE);
    }

    @Override
    public List<MetricValue> evaluate(CausalLm model, Tokenizer tokenizer, SplitData data) {
        List<QaExample> examples = data.examples().stream().filter(e -> !e.perturbedAnswers().isEmpty()).toList();
        if (examples.isEmpty()) {
            return List.of();
        }
        double[] mass = masses(TofuSuite.variantNll(new AnswerScorer(model, tokenizer, batchSize), examples,
                QaExample::paraphrasedAnswer));
        return List.of(new MetricValue(PARAPHRASED, mass[0]), new MetricValue(PERTURBED, mass[1]),
                new MetricValue(SHARE, mass[2]));
    }

    /**
     * The three means from avgNLLs: row i is [paraphrased answer, perturbed answers...] of example i (at least one
     * perturbed answer); returns {mean_i P̃(paraphrased_i), mean_i mean_j P̃(perturbed_ij),
     * mean_i P̃(paraphrased_i) / (P̃(paraphrased_i) + Σ_j P̃(perturbed_ij))}.
     */
    static double[] masses(double[][] avgNll) {
        if (avgNll.length == 0) {
            throw new IllegalArgumentException("need at least one example");
        }
        double paraphrased = 0;
        double perturbed = 0;
        double share = 0;
        for (double[] row : avgNll) {
            if (row.length < 2) {
                throw new IllegalArgumentException("an example needs its paraphrased and at least one perturbed "
                        + "answer, had " + row.length + " answers");
            }
            double sum = 0;
            double odds = 0; // Σ_j P̃(perturbed_j) / P̃(paraphrased), from the avgNLLs so that no P̃ underflows
            for (int j = 1; j < row.length; j++) {
                sum += TruthRatio.probability(row[j]);
                odds += Math.exp(row[0] - row[j]);
            }
            paraphrased += TruthRatio.probability(row[0]);
            perturbed += sum / (row.length - 1);
            share += 1 / (1 + odds);
        }
        int n = avgNll.length;
        return new double[] {paraphrased / n, perturbed / n, share / n};
    }
}
