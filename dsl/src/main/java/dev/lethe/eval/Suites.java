package dev.lethe.eval;

import dev.lethe.part.Kind;
import java.util.List;

/** Static vocabulary of evaluation suites; the factories take their defaults from each suite's {@link Kind}. */
public final class Suites {
    private Suites() {}

    /** The suite slot's vocabulary, in the order {@code lethe list} shows it. */
    public static final List<Kind<? extends Suite>> KINDS = List.of(
            AnswerSuite.KIND,
            TofuSuite.KIND,
            ProbabilityMassSuite.KIND,
            PrivacySuite.KIND,
            MuseSuite.KIND,
            MultipleChoiceSuite.KIND,
            MarginSuite.KIND);

    /** NLL, probability, greedy exact match and token accuracy of the answers ({@link AnswerSuite}). */
    public static Suite answers() {
        return AnswerSuite.KIND.defaults();
    }

    /**
     * TOFU's probability, truth ratio and ROUGE-L recall, and open-unlearning's exact memorisation and extraction
     * strength ({@link TofuSuite}); greedy answers up to 16 tokens.
     */
    public static Suite tofu() {
        return TofuSuite.KIND.defaults();
    }

    /**
     * Where the probability mass goes: the mean probability of the paraphrased answer and of the perturbed answers
     * ({@link ProbabilityMassSuite}), teacher-forced, cheap enough for continual evaluation.
     */
    public static Suite mass() {
        return ProbabilityMassSuite.KIND.defaults();
    }

    /**
     * MUSE's VerbMem (ROUGE-L F1 of greedy continuations: of MUSE's verbmem prompts, 128 tokens, or of each
     * passage after its first 5 tokens) and KnowMem (ROUGE-L F1 of greedy answers up to 32 tokens, with MUSE's
     * few-shot prompt on MUSE's files) ({@link MuseSuite}).
     */
    public static Suite muse() {
        return MuseSuite.KIND.defaults();
    }

    /**
     * Per-example answer margins ({@link MarginSuite}): the input of KLoM ({@code dev.lethe.report.Klom.of}) over several runs.
     */
    public static Suite margins() {
        return MarginSuite.KIND.defaults();
    }

    /** WMDP-style multiple-choice accuracy by summed and by length-normalised log-likelihood ({@link MultipleChoiceSuite}). */
    public static Suite multipleChoice() {
        return MultipleChoiceSuite.KIND.defaults();
    }

    /**
     * Multiple-choice accuracy of the letter after lm-evaluation-harness's WMDP/MMLU prompt
     * ({@code mc_accuracy_lettered}; {@link MultipleChoiceSuite}, {@code format: lettered}).
     */
    public static Suite multipleChoiceLettered() {
        return MultipleChoiceSuite.lettered();
    }

    /**
     * Membership-inference scores per example ({@link PrivacySuite}: LOSS, zlib, Min-K%, Min-K%++, and GradNorm on
     * forget and holdout), turned into ROC AUCs (with the reference-model attack's) and PrivLeak.
     */
    public static Suite privacy() {
        return PrivacySuite.KIND.defaults();
    }

    /**
     * The {@link #privacy()} suite that also reports {@code privleak_published}: PrivLeak against MUSE's published
     * retrained-model AUC of {@code corpus} ({@link MuseRetrainAuc}), as MUSE's {@code eval.py} computes it, with or
     * without a reference model in the run; e.g. {@code Suites.privacy(MuseRetrainAuc.NEWS)}.
     */
    public static Suite privacy(MuseRetrainAuc corpus) {
        return PrivacySuite.KIND.defaults().withPrivleakRetrainAuc(corpus);
    }
}
