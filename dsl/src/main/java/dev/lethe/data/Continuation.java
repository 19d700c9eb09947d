package dev.lethe.data;

/**
 * A prompt and the text that follows it in a document: one row of MUSE's {@code verbmem} files (Shi et al.
 * 2024, "MUSE: Machine Unlearning Six-Way Evaluation for Language Models", arXiv:2407.06460, §3.1 C1),
 * whose fields are {@code prompt} and {@code gt}. VerbMem asks a model to continue the prompt and compares
 * its continuation with the truth.
 *
 * @param prompt the beginning of the passage
 * @param truth the passage's true continuation (MUSE's {@code gt})
 */
public record Continuation(String prompt, String truth) {

    /** Rejects a blank prompt or truth. */
    public Continuation {
        if (prompt.isBlank() || truth.isBlank()) {
            throw new IllegalArgumentException("a continuation's " + (prompt.isBlank() ? "prompt" : "truth")
                    + " must not be blank");
        }
    }
}
