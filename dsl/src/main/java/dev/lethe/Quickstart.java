package dev.lethe;

import static dev.lethe.objective.Objectives.nll;
import static dev.lethe.objective.Objectives.npo;
import static dev.lethe.optim.Optimizers.adamW;

import dev.lethe.attack.Attacks;
import dev.lethe.data.FictitiousFacts;
import dev.lethe.data.Split;
import dev.lethe.model.GptConfig;
import dev.lethe.spec.Recipe;
import dev.lethe.spec.Training;
import dev.lethe.spec.Unlearning;

/** The built-in quickstart recipe that {@code ./lethe quickstart} runs. */
public final class Quickstart {
    private Quickstart() {}

    /**
     * 50 fictitious people with 6 facts each (10 % to forget), 45 world facts and 30 facts about real authors; a
     * 4-layer, width-128 GPT trained for 1000 steps until it has memorised them; a reference trained the same way
     * without the forget people; then 200 steps of NPO (β = 0.1) plus the NLL of retain ∪ world ∪ real_authors
     * (NPO+RT, Zhang et al. 2024 §5) with AdamW at lr 1e-3; then two attacks on the unlearned model: int4
     * quantization and 20 steps of relearning on five forget examples.
     */
    public static Recipe recipe() {
        return recipe("cpu");
    }

    /** {@link #recipe()} on {@code device} ({@code cpu}, {@code gpu}, {@code gpu:N} or {@code auto}). */
    public static Recipe recipe(String device) {
        return Lethe.recipe("quickstart")
                .model(GptConfig.tiny())
                .data(FictitiousFacts.of(50, 0.1))
                .learn(Training.of(1000))
                .reference()
                .unlearn(Unlearning.of(npo().plus(nll(Split.RETAIN, Split.WORLD, Split.REAL_AUTHORS)))
                        .optimizer(adamW(1e-3))
                        .steps(200))
                .attack(Attacks.quantize(4))
                .attack(Attacks.relearn(20, 5, 1e-3))
                .seed(42)
                .device(device)
                .build();
    }
}
