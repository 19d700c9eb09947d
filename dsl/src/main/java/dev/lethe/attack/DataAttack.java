package dev.lethe.attack;

import dev.lethe.data.Dataset;
import dev.lethe.model.CausalLm;

/** An attack on the prompts: the model is unchanged and evaluated on rewritten data. */
public interface DataAttack extends Attack {

    /** The rewritten data; {@code data} itself is immutable and stays as it was. */
    Dataset transform(Dataset data);

    /** Returns {@code model} itself (not a copy) with {@link #transform transformed} data. */
    @Override
    default Attacked apply(CausalLm model, AttackContext context) {
        return Attacked.newData(model, transform(context.data()));
    }
}
