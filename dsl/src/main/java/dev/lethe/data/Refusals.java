package dev.lethe.data;

import java.util.List;

/**
 * Template refusal answers ("I don't know" variants) shipped with the built-in benchmark, the alternative
 * answers of IdK fine-tuning and IdkPO (Maini et al. 2024, "TOFU", §5 "Preference Optimization": TOFU ships
 * a list of such templates; Zhang et al. 2024, "Negative Preference Optimization", IdkPO) and the template
 * answers of FLAT (Wang et al., ICLR 2025). The wording avoids contractions, so every word is a single
 * token of the {@link dev.lethe.model.WordTokenizer}; {@link Dataset#fitTokenizer()} adds them to the
 * vocabulary.
 */
public final class Refusals {
    private Refusals() {}

    /** The ten templates, in a fixed order. */
    public static final List<String> TEMPLATES = List.of(
            "I do not know.",
            "I have no idea.",
            "I am not sure about that.",
            "I cannot answer that.",
            "That is unknown to me.",
            "I have no information about that.",
            "I could not tell you.",
            "Sorry, I do not know the answer.",
            "I am unable to answer that question.",
            "That is not something I know.");

    /**
     * The template for the example at position {@code exampleIndex} of its split:
     * {@code TEMPLATES[exampleIndex mod 10]}. Deterministic, so every step and every run gives an example the
     * same refusal, and consecutive examples (a person's facts) get different ones.
     */
    public static String forExample(int exampleIndex) {
        return TEMPLATES.get(Math.floorMod(exampleIndex, TEMPLATES.size()));
    }
}
