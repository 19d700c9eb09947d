package dev.lethe.spec;

import org.jspecify.annotations.Nullable;

/**
 * What a model of a run is, by the kind of stage that made it; the tables, plots and cross-model metrics read
 * roles, never model names. A stage's model is called by its role's {@link #baseName()}, numbered when the kind
 * repeats ({@code unlearned}, {@code unlearned-2}); an attacked copy is called {@code <model>+<attack>}.
 */
public enum ModelRole {
    /** The recipe's model spec newly initialised (before any learn stage), or a loaded pretrained model. */
    INITIAL("initial"),
    /** Trained from scratch by a {@link Learn} stage. */
    LEARNED("learned"),
    /** The current model trained further by a {@link Finetune} stage. */
    FINETUNED("finetuned"),
    /** The retrained-without-the-forget-set gold standard of a {@link Reference} stage. */
    REFERENCE("reference"),
    /** The result of an {@link Unlearning} stage. */
    UNLEARNED("unlearned"),
    /** The current model after a {@link Relearning} stage. */
    RELEARNED("relearned"),
    /** A copy of a model changed by an attack of an {@link Attacking} stage. */
    ATTACKED(null);

    private final @Nullable String baseName;

    ModelRole(@Nullable String baseName) {
        this.baseName = baseName;
    }

    /**
     * The name the first model of this role gets.
     *
     * @throws IllegalStateException for {@link #ATTACKED}, whose models are named after their target and attack
     */
    public String baseName() {
        if (baseName == null) {
            throw new IllegalStateException("an attacked model is called <model>+<attack>");
        }
        return baseName;
    }

    /** Whether a stage trained the model (every role but {@link #ATTACKED}). */
    public boolean trained() {
        return this != ATTACKED;
    }
}
