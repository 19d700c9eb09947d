package dev.lethe.data;

/**
 * What a training stage's batches hold. Every split's batches are drawn from its question-answer pairs, its
 * passages (each as an answer without a prompt, cut to the context length), or both mixed in one stream;
 * with sequential unlearning requests, a request's forget passages are those of the people its forget
 * questions are about.
 */
public enum Texts {
    /** The question-answer pairs (TOFU's setting). */
    ANSWERS,
    /** The passages (MUSE's setting: the forget set is text, and so is the retain set). */
    PASSAGES,
    /** Both, in one stream per split. */
    BOTH;

    /** Whether the question-answer pairs are in. */
    public boolean answers() {
        return this != PASSAGES;
    }

    /** Whether the passages are in. */
    public boolean passages() {
        return this != ANSWERS;
    }
}
