package dev.lethe.eval;

import static dev.lethe.part.ParamTypes.integer;

import dev.lethe.data.Passage;
import dev.lethe.data.QaExample;
import dev.lethe.data.SplitData;
import dev.lethe.eval.stats.RougeL;
import dev.lethe.model.CausalLm;
import dev.lethe.model.Tokenizer;
import dev.lethe.part.Kind;
import dev.lethe.part.Param;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * MUSE's memorisation metrics (Shi et al. 2024, "MUSE: Machine Unlearning Six-Way Evaluation for Language
 * Models", arXiv:2407.06460, criteria C1 "no verbatim memorization" and C2 "no knowledge memorization"),
 * on any split that has the data (MUSE reports VerbMem on forget and KnowMem on forget and retain; on
 * holdout they give the level of text never trained on):
 *
 * <ul>
 *   <li>{@code verbmem_rouge_l_f1}: each passage's tokens are cut after the first {@code prefixTokens}
 *       ({@link #cut}); the model continues the prefix greedily for as many tokens as the true rest has (or
 *       until {@code <eos>} or the context length), and the continuation is scored against the true rest by
 *       ROUGE-L F1 ({@link RougeL#f1}). MUSE prompts with the first 32 tokens of a passage and compares a
 *       128-token continuation (a fifth of a 160-token window); {@link Suites#muse()} keeps about that share
 *       on the built-in benchmark's passages of about 26 word tokens with 5 prefix tokens ("Kalo Renmi was
 *       born in"), so that every fact of the passage is in the part to reproduce;
 *   <li>{@code knowmem_rouge_l_recall}: ROUGE-L recall of the greedy answer to each question-answer
 *       example against the true answer. The built-in benchmark builds its passages from the same facts as
 *       its questions, so its questions serve as the questions about the passages; there this equals
 *       {@link TofuSuite}'s {@code rouge_l_recall}. With MUSE's own KnowMem questions imported through
 *       {@link dev.lethe.data.Jsonl} it is MUSE's KnowMem.
 * </ul>
 *
 * <p><b>Note:</b> the built-in run trains the learn and reference models on question-answer examples only,
 * so on the built-in benchmark VerbMem measures how much of a passage a model reconstructs from the facts
 * it learned as answers, not verbatim memorisation of the passage (on the quickstart it stays below 0.03
 * for every model); passages become training text once the learn stage trains on them.
 *
 * @param batchSize prompts per forward pass
 * @param prefixTokens passage tokens given as the prompt, at least 1
 * @param maxAnswerTokens longest greedy answer for KnowMem
 */
public record MuseSuite(int batchSize, int prefixTokens, int maxAnswerTokens) implements Suite {
    /** The suite {@code muse}. */
    public static final Kind<MuseSuite> KIND = Kind.of("muse", MuseSuite.class,
            "MUSE's VerbMem and KnowMem (Shi et al. 2024)",
            List.of(Param.of("batch_size", integer(1), 64, "examples per forward pass", MuseSuite::batchSize),
                    Param.of("prefix_tokens", integer(1), 5, "passage tokens given as the prompt",
                            MuseSuite::prefixTokens),
                    Param.of("max_answer_tokens", integer(1), 16, "longest greedy answer for KnowMem",
                            MuseSuite::maxAnswerTokens)),
            a -> new MuseSuite(a.integer("batch_size"), a.integer("prefix_tokens"), a.integer("max_answer_tokens")));

    /** MUSE's VerbMem: ROUGE-L F1 of the greedy continuation of each passage against its true rest. */
    public static final Metric VERBMEM = new Metric("verbmem_rouge_l_f1", Metric.Direction.HIGHER_KNOWS_MORE,
            Metric.Scope.PER_SPLIT, "MUSE VerbMem: ROUGE-L F1 of each passage's greedy continuation").within(0, 1);
    /** MUSE's KnowMem: ROUGE-L recall of the greedy answers. */
    public static final Metric KNOWMEM = new Metric("knowmem_rouge_l_recall", Metric.Direction.HIGHER_KNOWS_MORE,
            Metric.Scope.PER_SPLIT, "MUSE KnowMem: ROUGE-L recall of the greedy answers").within(0, 1);

    /** Checks the parameters. */
    public MuseSuite {
        if (batchSize < 1 || prefixTokens < 1 || maxAnswerTokens < 1) {
            throw new IllegalArgumentException("batchSize, prefixTokens and maxAnswerTokens must be >= 1, were "
                    + batchSize + ", " + prefixTokens + ", " + maxAnswerTokens);
        }
    }

    /**
     * A passage cut into the prompt and the text to reproduce.
     *
     * @param prefix the first tokens, decoded
     * @param rest the remaining tokens, decoded
     * @param restTokens how many tokens the rest has
     */
    public record Cut(String prefix, String rest, int restTokens) {}

    /**
     * Cuts {@code text} after its first {@code prefixTokens} tokens; a passage of at most
     * {@code prefixTokens} tokens keeps its last token as the rest.
     *
     * @throws IllegalArgumentException when the passage has fewer than two tokens
     */
    public static Cut cut(Tokenizer tokenizer, String text, int prefixTokens) {
        int[] ids = tokenizer.encode(text);
        if (ids.length < 2) {
            throw new IllegalArgumentException("a passage needs at least 2 tokens to cut, had " + ids.length + ": "
                    + text);
        }
        int k = Math.min(prefixTokens, ids.length - 1);
        return new Cut(tokenizer.decode(Arrays.copyOfRange(ids, 0, k)),
                tokenizer.decode(Arrays.copyOfRange(ids, k, ids.length)), ids.length - k);
    }

    @Override
    public List<Metric> metrics() {
        return List.of(VERBMEM, KNOWMEM);
    }

    @Override
    public List<MetricValue> evaluate(CausalLm model, Tokenizer tokenizer, SplitData data) {
        List<MetricValue> out = new ArrayList<>();
        if (!data.passages().isEmpty()) {
            out.add(verbMem(model, tokenizer, data.passages()));
        }
        if (!data.examples().isEmpty()) {
            out.add(knowMem(model, tokenizer, data.examples()));
        }
        return out;
    }

    private MetricValue verbMem(CausalLm model, Tokenizer tokenizer, List<Passage> passages) {
        List<Cut> cuts = passages.stream().map(p -> cut(tokenizer, p.text(), prefixTokens)).toList();
        int longest = cuts.stream().mapToInt(Cut::restTokens).max().orElseThrow();
        List<String> continuations = new GreedyDecoder(model, tokenizer, batchSize)
                .continueTexts(cuts.stream().map(Cut::prefix).toList(), longest);
        double[] f1 = new double[cuts.size()];
        for (int i = 0; i < f1.length; i++) {
            Cut c = cuts.get(i);
            f1[i] = RougeL.f1(c.rest(), firstTokens(tokenizer, continuations.get(i), c.restTokens()));
        }
        return new MetricValue(VERBMEM, TofuSuite.mean(f1), f1);
    }

    /** The first {@code n} tokens of {@code text}: each continuation is as long as its own true rest at most. */
    private static String firstTokens(Tokenizer tokenizer, String text, int n) {
        int[] ids = tokenizer.encode(text);
        return ids.length <= n ? text : tokenizer.decode(Arrays.copyOf(ids, n));
    }

    private MetricValue knowMem(CausalLm model, Tokenizer tokenizer, List<QaExample> examples) {
        List<String> greedy = new GreedyDecoder(model, tokenizer, batchSize)
                .decode(examples.stream().map(QaExample::question).toList(), maxAnswerTokens);
        double[] recall = new double[examples.size()];
        for (int i = 0; i < recall.length; i++) {
            recall[i] = RougeL.recall(examples.get(i).answer(), greedy.get(i));
        }
        return new MetricValue(KNOWMEM, TofuSuite.mean(recall), recall);
    }
}
