package dev.lethe.eval;

/** Static vocabulary of evaluation suites. */
public final class Suites {
    private Suites() {}

    /** NLL, probability, greedy exact match and token accuracy of the answers ({@link AnswerSuite}). */
    public static Suite answers() {
        return new AnswerSuite(64);
    }
}
