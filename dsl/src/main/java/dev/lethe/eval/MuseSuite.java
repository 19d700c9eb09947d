package dev.lethe.eval;

import static dev.lethe.part.ParamTypes.integer;

import dev.lethe.data.Continuation;
import dev.lethe.data.MuseProbes;
import dev.lethe.data.Passage;
import dev.lethe.data.QaExample;
import dev.lethe.data.SplitData;
import dev.lethe.eval.stats.RougeL;
import dev.lethe.model.CausalLm;
import dev.lethe.model.HfTokenizer;
import dev.lethe.model.QaTokenizer;
import dev.lethe.model.Tokenizer;
import dev.lethe.part.Kind;
import dev.lethe.part.Param;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * MUSE's memorisation metrics (Shi et al. 2024, "MUSE: Machine Unlearning Six-Way Evaluation for Language
 * Models", arXiv:2407.06460, criteria C1 "no verbatim memorization" and C2 "no knowledge memorization"), as
 * muse_bench's code computes them ({@code verbmem/get_rouge.py}, {@code knowmem/get_rouge_qa.py}: ROUGE-L of
 * the {@code rouge_score} package <b>without</b> stemming, greedy decoding), on any split that has the data.
 * Both are in [0, 1]; MUSE reports them × 100.
 *
 * <p>On data read from MUSE's files ({@link dev.lethe.data.MuseData}, the split has {@link MuseProbes}):
 * <ul>
 *   <li>{@code verbmem_rouge_l_f1}: for each {@code verbmem} row, the model continues {@code prompt} greedily
 *       for {@code verbmem_tokens} new tokens (128, MUSE's {@code verbmem_max_new_tokens}; fewer at
 *       {@code <eos>} or the context length); the continuation is scored against {@code gt} cut as MUSE cuts
 *       it, the ids of {@code tokenizer(gt, add_special_tokens=True)} cut to {@code verbmem_tokens} and decoded
 *       (with Llama's tokenizer the first is {@code <bos>}, so 127 text tokens remain; with Lethe's word
 *       tokenizer, {@code verbmem_tokens − 1}), by ROUGE-L F1 ({@link RougeL#f1});
 *   <li>{@code knowmem_rouge_l_f1}: for each {@code knowmem} question, the prompt is the split's few-shot
 *       examples as blocks {@code "Question: q\nAnswer: a\n\n"} and then {@code "Question: q\nAnswer: "}
 *       ({@link MuseProbes#fewShotPrompt}, encoded as plain text after {@code <bos>}, no chat template); the
 *       greedy answer of at most {@code max_answer_tokens} tokens (32, MUSE's {@code knowmem_max_new_tokens})
 *       is cut before the first {@code "\n\n"}, {@code "\nQuestion"} or {@code "Question:"} and scored against
 *       the answer by ROUGE-L F1.
 * </ul>
 *
 * <p>On other data (the built-in benchmark, {@link dev.lethe.data.JsonlData}), which has no MUSE files:
 * <ul>
 *   <li>{@code verbmem_rouge_l_f1}: each passage's tokens are cut after the first {@code prefix_tokens}
 *       ({@link #cut}); the model continues the prefix greedily for as many tokens as the true rest has (or
 *       until {@code <eos>} or the context length), and the continuation, cut to the rest's length, is scored
 *       against the rest by ROUGE-L F1. MUSE prompts with a passage's beginning and compares a 128-token
 *       continuation; {@link Suites#muse()} keeps about that share on the built-in benchmark's passages of
 *       about 26 word tokens with 5 prefix tokens ("Kalo Renmi was born in"), so that every fact of the
 *       passage is in the part to reproduce;
 *   <li>{@code knowmem_rouge_l_f1}: ROUGE-L F1 of the greedy answer to each question, asked as the models
 *       were trained ({@link dev.lethe.model.Tokenizer#encodePrompt}, no few-shot frame: the built-in
 *       benchmark's word-level models never saw it), cut at the same stop strings. The built-in benchmark
 *       builds its passages from the same facts as its questions, so its questions serve as the questions
 *       about the passages.
 * </ul>
 *
 * <p><b>Note:</b> the built-in run trains the learn and reference models on question-answer examples only
 * unless {@code train_on: passages}, so there VerbMem measures how much of a passage a model reconstructs
 * from the facts it learned as answers, not verbatim memorisation of the passage. MUSE's PrivLeak comes from
 * {@link PrivacySuite}'s Min-K% scores of the {@code privleak} texts, turned into PrivLeak by
 * {@link CrossModelMetrics}.
 *
 * @param batchSize prompts per forward pass
 * @param prefixTokens passage tokens given as the prompt, at least 1 (data without MUSE's files)
 * @param maxAnswerTokens longest greedy answer for KnowMem
 * @param verbmemTokens new tokens of a VerbMem continuation of MUSE's files, at least 2
 */
public record MuseSuite(int batchSize, int prefixTokens, int maxAnswerTokens, int verbmemTokens) implements Suite {
    /** The suite {@code muse}. */
    public static final Kind<MuseSuite> KIND = Kind.of("muse", MuseSuite.class,
            "MUSE's VerbMem and KnowMem (Shi et al. 2024)",
            List.of(Param.of("batch_size", integer(1), 64, "examples per forward pass", MuseSuite::batchSize),
                    Param.of("prefix_tokens", integer(1), 5, "passage tokens given as the prompt (data without "
                            + "MUSE's verbmem files)", MuseSuite::prefixTokens),
                    Param.of("max_answer_tokens", integer(1), 32, "longest greedy answer for KnowMem (MUSE: 32)",
                            MuseSuite::maxAnswerTokens),
                    Param.of("verbmem_tokens", integer(2), 128, "new tokens of a VerbMem continuation of MUSE's "
                            + "verbmem prompts (MUSE: 128)", MuseSuite::verbmemTokens)),
            a -> new MuseSuite(a.integer("batch_size"), a.integer("prefix_tokens"), a.integer("max_answer_tokens"),
                    a.integer("verbmem_tokens")));

    /** MUSE's VerbMem: ROUGE-L F1 of each greedy continuation against the true one. */
    public static final Metric VERBMEM = new Metric("verbmem_rouge_l_f1", Metric.Direction.HIGHER_KNOWS_MORE,
            Metric.Scope.PER_SPLIT, "MUSE VerbMem: ROUGE-L F1 of greedy continuations (MUSE reports x 100)")
            .within(0, 1);
    /** MUSE's KnowMem: ROUGE-L F1 of the greedy answers. */
    public static final Metric KNOWMEM = new Metric("knowmem_rouge_l_f1", Metric.Direction.HIGHER_KNOWS_MORE,
            Metric.Scope.PER_SPLIT, "MUSE KnowMem: ROUGE-L F1 of the greedy answers (MUSE reports x 100)")
            .within(0, 1);
    /** Where MUSE cuts a KnowMem answer: before the first of these. */
    static final List<String> STOPS = List.of("\n\n", "\nQuestion", "Question:");

    /** Checks the parameters. */
    public MuseSuite {
        if (batchSize < 1 || prefixTokens < 1 || maxAnswerTokens < 1 || verbmemTokens < 2) {
            throw new IllegalArgumentException("batchSize, prefixTokens and maxAnswerTokens must be >= 1 and "
                    + "verbmemTokens >= 2, were " + batchSize + ", " + prefixTokens + ", " + maxAnswerTokens + ", "
                    + verbmemTokens);
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
        GreedyDecoder decoder = new GreedyDecoder(model, tokenizer, batchSize);
        MuseProbes probes = data.muse();
        if (probes != null && !probes.verbmem().isEmpty()) {
            out.add(verbMem(decoder, tokenizer, probes.verbmem()));
        } else if (probes == null && !data.passages().isEmpty()) {
            out.add(verbMemOfPassages(decoder, tokenizer, data.passages()));
        }
        List<QaExample> questions = probes == null ? data.examples() : probes.knowmem();
        if (!questions.isEmpty()) {
            out.add(knowMem(decoder, questions, probes));
        }
        return out;
    }

    /** VerbMem on MUSE's prompt-truth pairs. */
    private MetricValue verbMem(GreedyDecoder decoder, Tokenizer tokenizer, List<Continuation> rows) {
        List<String> continuations = decoder.continueTexts(rows.stream().map(Continuation::prompt).toList(),
                verbmemTokens);
        double[] f1 = new double[rows.size()];
        for (int i = 0; i < f1.length; i++) {
            f1[i] = RougeL.f1(truthCut(tokenizer, rows.get(i).truth(), verbmemTokens), continuations.get(i));
        }
        return new MetricValue(VERBMEM, TofuSuite.mean(f1), f1);
    }

    /** VerbMem on passages cut after their first {@code prefixTokens} tokens. */
    private MetricValue verbMemOfPassages(GreedyDecoder decoder, Tokenizer tokenizer, List<Passage> passages) {
        List<Cut> cuts = passages.stream().map(p -> cut(tokenizer, p.text(), prefixTokens)).toList();
        int longest = cuts.stream().mapToInt(Cut::restTokens).max().orElseThrow();
        List<String> continuations = decoder.continueTexts(cuts.stream().map(Cut::prefix).toList(), longest);
        double[] f1 = new double[cuts.size()];
        for (int i = 0; i < f1.length; i++) {
            Cut c = cuts.get(i);
            f1[i] = RougeL.f1(c.rest(), firstTokens(tokenizer, continuations.get(i), c.restTokens()));
        }
        return new MetricValue(VERBMEM, TofuSuite.mean(f1), f1);
    }

    /**
     * MUSE's cut of a VerbMem truth: the ids of {@code tokenizer(gt, add_special_tokens=True)} cut to
     * {@code tokens}, decoded without special tokens. A model folder's tokenizer adds what its
     * {@code tokenizer.json} post-processor adds (Llama's: {@code <bos>}, so 127 text tokens remain); Lethe's
     * word tokenizer counts the {@code <bos>} every sequence starts with.
     */
    static String truthCut(Tokenizer tokenizer, String truth, int tokens) {
        Tokenizer inner = tokenizer instanceof QaTokenizer qa ? qa.tokenizer() : tokenizer;
        if (inner instanceof HfTokenizer hf) {
            int[] ids = hf.encodeWithSpecialTokens(truth);
            return hf.decode(ids.length <= tokens ? ids : Arrays.copyOf(ids, tokens));
        }
        return firstTokens(tokenizer, truth, tokens - 1);
    }

    /** The first {@code n} tokens of {@code text}, decoded. */
    private static String firstTokens(Tokenizer tokenizer, String text, int n) {
        int[] ids = tokenizer.encode(text);
        return tokenizer.decode(ids.length <= n ? ids : Arrays.copyOf(ids, n));
    }

    /** KnowMem: MUSE's few-shot prompt when there are {@code probes}, else the question as trained. */
    private MetricValue knowMem(GreedyDecoder decoder, List<QaExample> examples, @Nullable MuseProbes probes) {
        List<String> questions = examples.stream().map(QaExample::question).toList();
        List<String> greedy = probes == null ? decoder.decode(questions, maxAnswerTokens)
                : decoder.continueTexts(questions.stream().map(probes::fewShotPrompt).toList(), maxAnswerTokens);
        double[] f1 = new double[examples.size()];
        for (int i = 0; i < f1.length; i++) {
            f1[i] = knowMemScore(examples.get(i).answer(), greedy.get(i));
        }
        return new MetricValue(KNOWMEM, TofuSuite.mean(f1), f1);
    }

    /** KnowMem of one answer: ROUGE-L F1 (unstemmed) of the generation, cut at the stop strings, against the answer. */
    static double knowMemScore(String answer, String generated) {
        return RougeL.f1(answer, beforeStops(generated));
    }

    /** {@code answer} up to the first of MUSE's stop strings ({@code get_prefix_before_words_occur}). */
    static String beforeStops(String answer) {
        String out = answer;
        for (String stop : STOPS) {
            int at = out.indexOf(stop);
            if (at >= 0) {
                out = out.substring(0, at);
            }
        }
        return out;
    }
}
