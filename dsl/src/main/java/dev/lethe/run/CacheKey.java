package dev.lethe.run;

import dev.lethe.data.Split;
import dev.lethe.data.Texts;
import dev.lethe.model.CausalLm;
import dev.lethe.model.ModelSpec;
import dev.lethe.part.ContentInput;
import dev.lethe.part.Kind;
import dev.lethe.part.Slot;
import dev.lethe.part.Writing;
import dev.lethe.recipe.PartRegistry;
import dev.lethe.recipe.YamlWriter;
import dev.lethe.spec.Stage;
import dev.lethe.util.Version;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * The {@link ModelCache model cache}'s key of a training stage: the SHA-256 of what determined the model it
 * trains, in two parts. The recipe text: Lethe's version, the device type, the recipe's seed, the stage's name
 * (which seeds its initialisation and data order), the resolved model spec and the stage, both as canonical
 * YAML (for a model folder, the content hash of its files instead of the spec). The content it read: the examples
 * of its splits, the tokenizer's vocabulary, and the weights of the model it started from, when it starts from one
 * ({@link ContentHash}), and what its parts read from files ({@link ContentInput}, e.g. a schedule's event log). A file's path or a value's
 * {@code toString()} is no part of it, so editing the data files gives another key and moving them does not.
 */
final class CacheKey {
    private CacheKey() {}

    /**
     * The key of training stage {@code unit} ({@code stage}, on {@code texts} of {@code splits}) from
     * {@code from} (null: a newly initialised model), or null when a part of the stage or of the model spec has
     * no built-in kind that writes it canonically (a user's lambda): such a training is not cached.
     */
    static @Nullable String of(String unit, Stage stage, List<Split> splits, Texts texts, @Nullable CausalLm from,
            RunContext run) {
        PartRegistry registry = PartRegistry.standard();
        String modelHash = run.modelHash();
        String model = modelHash != null ? "hf " + modelHash : yaml(registry, ModelSpec.SLOT, run.config());
        String training = yaml(registry, Stage.SLOT, stage);
        if (model == null || training == null) {
            return null;
        }
        List<String> lines = new ArrayList<>(List.of(
                "lethe " + Version.LETHE,
                "device " + run.device().getDeviceType(),
                "seed " + run.seed(),
                "stage " + unit,
                "model " + model,
                "training " + training,
                "data " + ContentHash.trainingData(run.data(), splits, texts),
                "vocabulary " + ContentHash.vocabulary(run.tokenizer()),
                "from " + (from == null ? "initialised" : ContentHash.weights(from))));
        List<ContentInput> inputs = ContentInput.in(stage);
        if (!inputs.isEmpty()) {
            lines.add("inputs " + ContentHash.texts(inputs.stream().map(ContentInput::content).toList()));
        }
        return ContentHash.texts(lines);
    }

    /** {@code value}, a part of {@code slot}, as one line of canonical YAML; null when no kind writes it. */
    private static @Nullable String yaml(PartRegistry registry, Slot<?> slot, Object value) {
        for (Kind<?> kind : registry.kinds(slot).values()) {
            if (kind.handles().test(value)) {
                try {
                    return kind.name() + ": " + YamlWriter.flow(new Writing(registry).fields(kind, value));
                } catch (IllegalArgumentException e) {
                    return null; // a nested part (an objective, a schedule) is a user's lambda
                }
            }
        }
        return null;
    }
}
