package dev.lethe.eval;

/** Static vocabulary of evaluation suites. */
public final class Suites {
    private Suites() {}

    /** NLL, probability, greedy exact match and token accuracy of the answers ({@link AnswerSuite}). */
    public static Suite answers() {
        return new AnswerSuite(64);
    }

    /** TOFU's probability, truth ratio and ROUGE-L recall ({@link TofuSuite}); greedy answers up to 16 tokens. */
    public static Suite tofu() {
        return new TofuSuite(64, 16);
    }

    /**
     * MUSE's VerbMem (ROUGE-L F1 of the greedy continuation of each passage after its first 5 tokens) and
     * KnowMem (ROUGE-L recall of greedy answers up to 16 tokens) ({@link MuseSuite}).
     */
    public static Suite muse() {
        return new MuseSuite(64, 5, 16);
    }

    /** WMDP-style multiple-choice accuracy by summed and by length-normalised log-likelihood ({@link MultipleChoiceSuite}). */
    public static Suite multipleChoice() {
        return new MultipleChoiceSuite(64);
    }

    /** Membership-inference scores per example ({@link PrivacySuite}), turned into ROC AUCs and PrivLeak. */
    public static Suite privacy() {
        return new PrivacySuite(64);
    }
}
