package dev.lethe.spec;

import dev.lethe.part.Slot;
import org.jspecify.annotations.Nullable;

/**
 * One stage of a recipe's pipeline. A recipe is an ordered list of stages, in any order and with any
 * repetition: {@link Learn} (train a model from scratch), {@link Finetune} (go on training the current
 * model), {@link Reference} (train the retrained-without-the-forget-set gold standard), {@link Unlearning},
 * {@link Relearning} (fine-tune the current model on forget examples), {@link Attacking} (attack the current
 * model and evaluate each attacked copy), {@link Evaluation} (evaluate the models made so far) and
 * {@link Save} (write the current model).
 *
 * <p>The run keeps one <em>current</em> model: the model of the recipe's spec as initialised, until a stage
 * replaces it (learn, finetune, unlearn and relearn do; reference does not). Every model a stage leaves has
 * a role ({@link #produces()}) and a name (the role's, numbered when it repeats: {@code unlearned},
 * {@code unlearned-2}) under
 * which it appears in the results.
 */
public interface Stage {
    /** The slot of recipe files that holds Stage: the stages of a recipe's pipeline. */
    Slot<Stage> SLOT = new Slot<>("stage", Stage.class);

    /** The stage's kind, as written in recipe files: {@code learn}, {@code unlearn}, ... */
    String kind();

    /** The role of the model this stage leaves (its name before numbering: {@code learned}); null when none. */
    default @Nullable ModelRole produces() {
        return null;
    }

    /** Whether the model this stage leaves becomes the run's current model (not so for the reference). */
    default boolean replacesCurrent() {
        return produces() != null;
    }

    /**
     * The continual evaluation of the model this stage trains (of its relearning attacks, for an attack stage), or
     * null; records with a {@code continual} component answer with it.
     */
    default @Nullable Continual continual() {
        return null;
    }

    /**
     * A copy of this stage evaluated continually as {@code newContinual} says (null: not at all); the training
     * stages and the attack stage override it with their own type.
     *
     * @throws UnsupportedOperationException for a stage that trains nothing (evaluate, save, a loaded reference)
     */
    default Stage withContinual(@Nullable Continual newContinual) {
        throw new UnsupportedOperationException("the " + kind() + " stage trains nothing, so it cannot be evaluated "
                + "continually");
    }

    /** Whether the stage trains weights (and so is checkpointed, and can be evaluated continually). */
    default boolean trains() {
        return false;
    }

    /**
     * Whether the model this stage leaves is checkpointed when it ends (so a resumed run loads it): every stage that
     * {@link #trains()}, and {@link GuardIt}, whose steering bank is state of the model though no weight changes.
     */
    default boolean checkpointed() {
        return trains();
    }
}
