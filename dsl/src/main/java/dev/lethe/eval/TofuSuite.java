package dev.lethe.eval;

import static dev.lethe.part.ParamTypes.integer;

import dev.lethe.data.QaExample;
import dev.lethe.data.Split;
import dev.lethe.data.SplitData;
import dev.lethe.eval.stats.Memorization;
import dev.lethe.eval.stats.RougeL;
import dev.lethe.eval.stats.TruthRatio;
import dev.lethe.model.CausalLm;
import dev.lethe.model.Tokenizer;
import dev.lethe.part.Kind;
import dev.lethe.part.Param;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * TOFU's per-split metrics (Maini et al. 2024, "TOFU: A Task of Fictitious Unlearning for LLMs", §2.5):
 *
 * <ul>
 *   <li>{@code tofu_probability}: on forget, retain and holdout the length-normalised probability
 *       exp(−avgNLL) of the answer; on world and real authors, the normalised probability
 *       P̃(answer) / (P̃(answer) + Σ P̃(wrong)) over the answer and the perturbed answers (TOFU's files give
 *       these splits bare wrong answers in the answer's frame, so the lengths are comparable);
 *   <li>{@code truth_ratio}: per example R = P̃(perturbed) / P̃(paraphrased answer), with several perturbed
 *       answers combined by their geometric mean ({@link TruthRatio#ratio}); reported on forget as
 *       mean(min(R, 1/R)) and elsewhere as mean(max(0, 1 − R)); the raw R values are kept per example for
 *       forget quality;
 *   <li>{@code rouge_l_recall}: ROUGE-L recall of the greedy answer against the true answer ({@link RougeL}),
 *       with Porter stemming as TOFU's code ({@code rouge_score} with {@code use_stemmer=True});
 *   <li>{@code exact_memorization} and {@code extraction_strength} (open-unlearning's {@code exact_memorization}
 *       and {@code extraction_strength}, in its default TOFU evaluation): from one teacher-forced pass of the answer
 *       after the question, the share of answer tokens the model's argmax predicts, and 1 − k/n for the shortest
 *       answer prefix k after which greedy decoding reproduces the rest ({@link Memorization}); both over the answer
 *       tokens without the closing {@code <eos>}, as open-unlearning drops it.
 * </ul>
 *
 * <p>When some of a split's examples have perturbed answers, all three metrics are computed on those examples only,
 * as TOFU evaluates a split on its {@code *_perturbed} file: TOFU's retain numbers come from the 400 rows of
 * {@code retain_perturbed}, not from the 3 600 retain rows trained on. A split without any (holdout) is evaluated
 * whole. On retain, real authors and world the nine numbers make TOFU's model utility ({@link ModelUtility}).
 *
 * @param batchSize examples per forward pass
 * @param maxNewTokens longest greedy answer
 */
public record TofuSuite(int batchSize, int maxNewTokens) implements Suite {
    /** The suite {@code tofu}. */
    public static final Kind<TofuSuite> KIND = Kind.of("tofu", TofuSuite.class,
            "TOFU's probability, truth ratio, ROUGE-L (Maini et al. 2024); exact_memorization, "
                    + "extraction_strength (open-unlearning)",
            List.of(Param.of("batch_size", integer(1), 64, "examples per forward pass", TofuSuite::batchSize),
                    Param.of("max_new_tokens", integer(1), 16, "longest greedy answer", TofuSuite::maxNewTokens)),
            a -> new TofuSuite(a.integer("batch_size"), a.integer("max_new_tokens")));

    /** TOFU's answer probability (normalised against the perturbed answers on world and real authors). */
    public static final Metric PROBABILITY = new Metric("tofu_probability", Metric.Direction.HIGHER_KNOWS_MORE,
            Metric.Scope.PER_SPLIT, "TOFU's answer probability (on world and real_authors normalised over the "
                    + "perturbed answers)").within(0, 1);
    /**
     * TOFU's truth ratio: mean(min(R, 1/R)) on forget, 1 when the model no longer prefers the true answer, and
     * mean(max(0, 1 − R)) elsewhere, higher when it does; so higher is better on every split.
     */
    public static final Metric TRUTH_RATIO = new Metric("truth_ratio", Metric.Direction.HIGHER_IS_BETTER,
            Metric.Scope.PER_SPLIT, "TOFU's truth ratio: min(R, 1/R) on forget, max(0, 1 - R) elsewhere").within(0, 1);
    /** ROUGE-L recall of the greedy answer against the true answer, Porter-stemmed as TOFU's code. */
    public static final Metric ROUGE_L_RECALL = new Metric("rouge_l_recall", Metric.Direction.HIGHER_KNOWS_MORE,
            Metric.Scope.PER_SPLIT, "ROUGE-L recall of the greedy answer against the true one (Porter-stemmed in "
                    + "tofu, unstemmed in muse)").within(0, 1);

    /**
     * Exact memorisation (Tirumala et al. 2022; open-unlearning's {@code exact_memorization}): the share of answer
     * tokens (without {@code <eos>}) whose teacher-forced argmax is the true token, averaged over examples.
     */
    public static final Metric EXACT_MEMORIZATION = new Metric("exact_memorization",
            Metric.Direction.HIGHER_KNOWS_MORE, Metric.Scope.PER_SPLIT, "exact memorization: share of answer tokens "
                    + "(without eos) whose teacher-forced argmax is the label (open-unlearning)").within(0, 1);
    /**
     * Extraction strength (Carlini et al. 2021; Wang et al. 2025; open-unlearning's {@code extraction_strength}):
     * 1 − k/n for the shortest answer prefix k after which greedy decoding reproduces the rest, averaged.
     */
    public static final Metric EXTRACTION_STRENGTH = new Metric("extraction_strength",
            Metric.Direction.HIGHER_KNOWS_MORE, Metric.Scope.PER_SPLIT, "extraction strength: 1 - k/n for the "
                    + "shortest answer prefix k from which greedy decoding reproduces the rest (open-unlearning)")
            .within(0, 1);

    @Override
    public List<Metric> metrics() {
        return List.of(PROBABILITY, TRUTH_RATIO, ROUGE_L_RECALL, EXACT_MEMORIZATION, EXTRACTION_STRENGTH);
    }

    @Override
    public List<MetricValue> evaluate(CausalLm model, Tokenizer tokenizer, SplitData data) {
        List<QaExample> examples = data.examples();
        Split split = data.split();
        List<QaExample> withPerturbed = examples.stream().filter(e -> !e.perturbedAnswers().isEmpty()).toList();
        if (examples.isEmpty()) {
            return List.of();
        }
        List<QaExample> evaluated = withPerturbed.isEmpty() ? examples : withPerturbed;
        AnswerScorer scorer = new AnswerScorer(model, tokenizer, batchSize);
        List<TokenLogProbs> answers = scorer.scoreAnswers(evaluated);
        List<MetricValue> out = new ArrayList<>();
        boolean general = split == Split.WORLD || split == Split.REAL_AUTHORS;
        out.add(general && !withPerturbed.isEmpty()
                ? normalisedProbability(scorer, evaluated) : probability(answers));
        if (!withPerturbed.isEmpty()) {
            out.add(truthRatio(scorer, split, evaluated));
        }
        out.add(rouge(model, tokenizer, evaluated));
        out.addAll(memorization(answers));
        return out;
    }

    private static MetricValue probability(List<TokenLogProbs> answers) {
        double[] p = answers.stream().mapToDouble(t -> TruthRatio.probability(t.meanNll())).toArray();
        return new MetricValue(PROBABILITY, mean(p), p);
    }

    /**
     * Exact memorisation and extraction strength of each answer, on its argmax hits without the last target (the
     * closing {@code <eos>}); an answer without a token has no exact memorisation and is left out of that mean, as
     * open-unlearning leaves out its None.
     */
    private static List<MetricValue> memorization(List<TokenLogProbs> answers) {
        double[] em = new double[answers.size()];
        double[] es = new double[answers.size()];
        double emSum = 0;
        int emCount = 0;
        for (int i = 0; i < em.length; i++) {
            boolean[] hits = answers.get(i).withoutLast().argmaxCorrect();
            em[i] = Memorization.exactMemorization(hits);
            es[i] = Memorization.extractionStrength(hits);
            if (!Double.isNaN(em[i])) {
                emSum += em[i];
                emCount++;
            }
        }
        return List.of(new MetricValue(EXACT_MEMORIZATION, emCount == 0 ? Double.NaN : emSum / emCount, em),
                new MetricValue(EXTRACTION_STRENGTH, mean(es), es));
    }

    private static MetricValue normalisedProbability(AnswerScorer scorer, List<QaExample> examples) {
        double[][] nll = variantNll(scorer, examples, QaExample::answer);
        double[] p = new double[examples.size()];
        for (int i = 0; i < p.length; i++) {
            double correct = Math.exp(-nll[i][0]);
            double all = correct;
            for (int k = 1; k < nll[i].length; k++) {
                all += Math.exp(-nll[i][k]);
            }
            p[i] = correct / all;
        }
        return new MetricValue(PROBABILITY, mean(p), p);
    }

    private static MetricValue truthRatio(AnswerScorer scorer, Split split, List<QaExample> examples) {
        double[][] nll = variantNll(scorer, examples, QaExample::paraphrasedAnswer);
        double[] r = new double[examples.size()];
        for (int i = 0; i < r.length; i++) {
            double[] perturbed = java.util.Arrays.copyOfRange(nll[i], 1, nll[i].length);
            r[i] = TruthRatio.ratio(perturbed, nll[i][0]);
        }
        double value = split == Split.FORGET ? TruthRatio.forgetScore(r) : TruthRatio.retainScore(r);
        return new MetricValue(TRUTH_RATIO, value, r);
    }

    /** avgNLL of [{@code base} answer, perturbed answers...] after the question, per example. */
    static double[][] variantNll(AnswerScorer scorer, List<QaExample> examples,
            Function<QaExample, String> base) {
        List<String> prompts = new ArrayList<>();
        List<String> answers = new ArrayList<>();
        for (QaExample e : examples) {
            prompts.add(e.question());
            answers.add(base.apply(e));
            for (String p : e.perturbedAnswers()) {
                prompts.add(e.question());
                answers.add(p);
            }
        }
        List<TokenLogProbs> scored = scorer.score(prompts, answers);
        double[][] out = new double[examples.size()][];
        int k = 0;
        for (int i = 0; i < examples.size(); i++) {
            out[i] = new double[1 + examples.get(i).perturbedAnswers().size()];
            for (int j = 0; j < out[i].length; j++) {
                out[i][j] = scored.get(k++).meanNll();
            }
        }
        return out;
    }

    private MetricValue rouge(CausalLm model, Tokenizer tokenizer, List<QaExample> examples) {
        List<String> greedy = new GreedyDecoder(model, tokenizer, batchSize)
                .decode(examples.stream().map(QaExample::question).toList(), maxNewTokens);
        double[] recall = new double[examples.size()];
        for (int i = 0; i < recall.length; i++) {
            recall[i] = RougeL.recall(examples.get(i).answer(), greedy.get(i), RougeL.Stemming.PORTER);
        }
        return new MetricValue(ROUGE_L_RECALL, mean(recall), recall);
    }

    static double mean(double[] v) {
        double s = 0;
        for (double x : v) {
            s += x;
        }
        return v.length == 0 ? Double.NaN : s / v.length;
    }
}
