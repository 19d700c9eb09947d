package dev.lethe.attack;

import dev.lethe.model.CausalLm;

/** An attack on the weights: it changes a trainable {@linkplain CausalLm#copy() copy} of the model in place. */
public interface ModelAttack extends Attack {

    /** Changes the weights of {@code copy}, a copy of the attacked model that this attack may modify. */
    void attackWeights(CausalLm copy, AttackContext context);

    /** Copies {@code model}, attacks the copy and returns it with the unchanged data. */
    @Override
    default Attacked apply(CausalLm model, AttackContext context) {
        CausalLm copy = model.copy();
        try {
            attackWeights(copy, context);
        } catch (RuntimeException e) {
            copy.close();
            throw e;
        }
        return Attacked.newModel(copy, context.data());
    }
}
