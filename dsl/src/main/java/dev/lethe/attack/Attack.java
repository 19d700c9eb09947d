package dev.lethe.attack;

import dev.lethe.model.CausalLm;
import dev.lethe.part.Slot;

/**
 * An attack on an unlearned model: it returns the model (and the data) to evaluate in place of the
 * unlearned one, so the run can report how much of the forgotten knowledge comes back.
 *
 * <p>There are two kinds, and most attacks implement one of the two sub-interfaces:
 * <ul>
 *   <li>{@link ModelAttack}: changes the weights of a {@linkplain CausalLm#copy() copy} of the model
 *       (quantization, pruning, relearning); the data is unchanged;
 *   <li>{@link DataAttack}: leaves the model alone and rewrites the evaluation data (paraphrased or
 *       jailbreak-prefixed questions).
 * </ul>
 *
 * <p>Contract: {@link #apply} must never modify {@code model}; the returned {@link Attacked} says whether
 * it owns a new model (which the caller closes) or shares the one it was given.
 */
public interface Attack {
    /** The slot of recipe files that holds Attack: attacks on the unlearned model. */
    Slot<Attack> SLOT = new Slot<>("attack", Attack.class);

    /** A short name for tables, e.g. {@code quantize4}; the attacked model is called {@code unlearned+<name>}. */
    String name();

    /** Attacks {@code model} (which is left untouched) with the run's data, tokenizer, seed and fine-tuner. */
    Attacked apply(CausalLm model, AttackContext context);

    /** The name of the attacked model in a run's tables: {@code <model>+<name>}, e.g. {@code unlearned+quantize4}. */
    default String modelName(String model) {
        return model + "+" + name();
    }
}
