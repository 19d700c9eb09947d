package dev.lethe.objective;

import ai.djl.ndarray.NDArray;
import dev.lethe.data.Split;
import dev.lethe.part.Kind;
import dev.lethe.part.Param;
import dev.lethe.part.PartText;
import java.util.List;

/**
 * Gradient ascent on the answers of {@code split}: loss = −mean(avgNLL), so minimising it pushes the
 * answers' likelihood down. Unbounded below; it collapses the model given enough steps (the reason NPO
 * exists). See Jang et al. 2023, "Knowledge Unlearning for Mitigating Privacy Risks in Language Models",
 * and Maini et al. 2024 (TOFU), §5 "Gradient Ascent".
 *
 * @param split the split to forget, usually {@link Split#FORGET}
 */
public record GradientAscent(Split split) implements SplitObjective, Objective.ExampleMean {
    /** The objective {@code ga}. */
    public static final Kind<GradientAscent> KIND = Kind.of("ga", GradientAscent.class,
            "gradient ascent: −NLL of the split's answers (Jang et al. 2023)",
            List.of(Param.of("split", Split.TYPE, Split.FORGET, "the split whose batch it reads",
                    GradientAscent::split)),
            a -> new GradientAscent(a.get("split")));

    /** As a recipe file writes it ({@link PartText}). */
    @Override
    public String toString() {
        return PartText.of(this, List.of(KIND));
    }

    /** The same objective on {@code other}'s batch. */
    @Override
    public GradientAscent on(Split other) {
        return new GradientAscent(other);
    }

    /** Averages over the examples of {@link #split()} (accumulates over micro-batches). */
    @Override
    public List<Split> averagedOver() {
        return List.of(split);
    }

    @Override
    public NDArray loss(Step step) {
        return step.scores(split).meanNll().mean().neg();
    }
}
