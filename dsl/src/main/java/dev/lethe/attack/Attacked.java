package dev.lethe.attack;

import dev.lethe.data.Dataset;
import dev.lethe.model.CausalLm;

/**
 * What an attack returns: the model and the data to evaluate.
 *
 * @param model the model to evaluate
 * @param data the data to evaluate it on
 * @param ownsModel whether {@code model} is a new model that {@link #close()} frees (a model attack's
 *     copy), rather than the attacked model itself (a data attack)
 */
public record Attacked(CausalLm model, Dataset data, boolean ownsModel) implements AutoCloseable {

    /** A new model (a copy with changed weights) and the unchanged data; closing frees the model. */
    public static Attacked newModel(CausalLm model, Dataset data) {
        return new Attacked(model, data, true);
    }

    /** The original model with rewritten data; closing leaves the model open. */
    public static Attacked newData(CausalLm original, Dataset data) {
        return new Attacked(original, data, false);
    }

    /** Frees the model when this result owns it. */
    @Override
    public void close() {
        if (ownsModel) {
            model.close();
        }
    }
}
