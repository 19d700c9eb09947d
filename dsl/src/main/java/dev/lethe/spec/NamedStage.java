package dev.lethe.spec;

import org.jspecify.annotations.Nullable;

/**
 * A recipe's stage with the names the run gives it: the first stage of a kind is called by the kind
 * ({@code unlearn}), the n-th by the kind and n ({@code unlearn-2}); likewise the model it leaves
 * ({@code unlearned}, {@code unlearned-2}). Seeds, events, checkpoints and result rows use these names.
 *
 * @param index the stage's position in the recipe, from 0
 * @param name the stage's name
 * @param stage the stage
 * @param model the name of the model the stage leaves, or null
 */
public record NamedStage(int index, String name, Stage stage, @Nullable String model) {
    /** The role of the model the stage leaves, or null. */
    public @Nullable ModelRole role() {
        return stage.produces();
    }
}
