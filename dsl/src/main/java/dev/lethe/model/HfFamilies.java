package dev.lethe.model;

import java.util.List;

/**
 * The {@link HfFamily} implementations Lethe supports, by {@code model_type}. Adding a family is one line in
 * {@link #ALL}.
 */
public final class HfFamilies {
    /** Every supported family, GPT-2 first. */
    private static final List<HfFamily> ALL = List.of(
            new Gpt2Family(),
            new LlamaFamily(),
            new PhiFamily(),
            new Phi3Family(),
            new GptNeoXFamily());

    private HfFamilies() {}

    /** Every supported family. */
    public static List<HfFamily> all() {
        return ALL;
    }

    /** Every supported {@code model_type}, in registry order. */
    public static List<String> modelTypes() {
        return ALL.stream().flatMap(f -> f.modelTypes().stream()).toList();
    }

    /** Whether some family reads {@code modelType}. */
    public static boolean supports(String modelType) {
        return modelTypes().contains(modelType);
    }

    /**
     * The family of {@code config}'s {@code model_type}.
     *
     * @throws IllegalArgumentException naming the file, the field and the supported types when none reads it
     */
    public static HfFamily forConfig(HfConfig config) {
        if (!config.has("model_type")) {
            throw config.unsupported("model_type", String.join(", ", modelTypes()));
        }
        String type = config.modelType();
        return ALL.stream().filter(f -> f.modelTypes().contains(type)).findFirst()
                .orElseThrow(() -> config.unsupported("model_type", String.join(", ", modelTypes())));
    }

    /**
     * The family that saves models of {@code spec}'s class.
     *
     * @throws IllegalArgumentException when no family does
     */
    public static HfFamily forSpec(ModelSpec spec) {
        return ALL.stream().filter(f -> f.specClass().isInstance(spec)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no Hugging Face family saves a "
                        + spec.getClass().getSimpleName() + "; supported: " + String.join(", ",
                        ALL.stream().map(f -> f.specClass().getSimpleName()).toList())));
    }
}
