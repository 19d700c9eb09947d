package dev.lethe.data;

/**
 * A short text about one subject, MUSE-style (Shi et al. 2024, "MUSE: Machine Unlearning Six-Way
 * Evaluation for Language Models"): VerbMem prompts a model with the passage's first tokens and compares
 * its continuation with the rest.
 *
 * @param text the passage
 * @param subject who it is about (a person's name), empty when unknown
 */
public record Passage(String text, String subject) {

    /** Rejects a blank text. */
    public Passage {
        if (text.isBlank()) {
            throw new IllegalArgumentException("a passage's text must not be blank");
        }
    }
}
