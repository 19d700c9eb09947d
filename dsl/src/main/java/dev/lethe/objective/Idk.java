package dev.lethe.objective;

import ai.djl.ndarray.NDArray;
import dev.lethe.data.Split;
import dev.lethe.part.Kind;
import dev.lethe.part.Param;
import dev.lethe.part.PartText;
import java.util.List;

/**
 * IdK fine-tuning (Maini et al. 2024, "TOFU", §5 "Preference Optimization", the "I don't know" target
 * used without the retain term): the NLL of a template refusal answer ({@link dev.lethe.data.Refusals}) on
 * the prompts of this step's batch of {@code split}, {@code L = mean over the batch of avgNLL(y_idk)}.
 * Add a retain term with {@link Objective#plus} for the paper's full objective.
 *
 * @param split the split whose questions should be refused, usually {@link Split#FORGET}
 */
public record Idk(Split split) implements SplitObjective, Objective.ExampleMean {
    /** The objective {@code idk}. */
    public static final Kind<Idk> KIND = Kind.of("idk", Idk.class,
            "NLL of a refusal on the forget prompts (Maini et al. 2024)",
            List.of(Param.of("split", Split.TYPE, Split.FORGET, "the split whose batch it reads", Idk::split)),
            a -> new Idk(a.get("split")));

    /** As a recipe file writes it ({@link PartText}). */
    @Override
    public String toString() {
        return PartText.of(this, List.of(KIND));
    }

    /** The same objective on {@code other}'s batch. */
    @Override
    public Idk on(Split other) {
        return new Idk(other);
    }

    /** Averages over the examples of {@link #split()} (accumulates over micro-batches). */
    @Override
    public List<Split> averagedOver() {
        return List.of(split);
    }

    @Override
    public NDArray loss(Step step) {
        return step.refusalScores(split).meanNll().mean();
    }
}
