package dev.lethe;

import static dev.lethe.objective.Objectives.nll;
import static dev.lethe.objective.Objectives.npo;

import dev.lethe.data.FictitiousFacts;
import dev.lethe.data.Split;
import dev.lethe.model.GptConfig;

/** The built-in quickstart recipe that {@code ./lethe quickstart} runs. */
public final class Quickstart {
    private Quickstart() {}

    /**
     * 50 fictitious people with 6 facts each (10 % to forget), a 4-layer width-128 GPT trained until it
     * has memorised them, a reference trained without the forget people, and NPO (β = 0.1) plus the retain
     * NLL as the unlearning objective.
     */
    public static Recipe recipe() {
        return Lethe.recipe("quickstart")
                .model(GptConfig.tiny())
                .data(FictitiousFacts.of(50, 0.1))
                .learn(Training.of(1200))
                .reference()
                .unlearn(Unlearning.of(npo().plus(nll(Split.RETAIN))))
                .seed(42)
                .build();
    }
}
