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

    /** Membership-inference scores per example ({@link PrivacySuite}), turned into ROC AUCs and PrivLeak. */
    public static Suite privacy() {
        return new PrivacySuite(64);
    }
}
