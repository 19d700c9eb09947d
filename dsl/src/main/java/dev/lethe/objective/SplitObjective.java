package dev.lethe.objective;

import dev.lethe.data.Split;

/**
 * An objective defined on any split's batch, bound to one: {@code nll().on(Split.RETAIN)},
 * {@code klRetain().on(Split.WORLD)}. {@link Nll}, {@link GradientAscent}, {@link InvertedHinge},
 * {@link KlRetain} and {@link Idk} are split objectives; each is a record holding its split, and
 * {@link #on(Split)} returns a copy bound to another. The papers' choices (forget for the forgetting terms
 * of Jang et al. 2023 and Maini et al. 2024, retain for the KL and NLL retain terms) are the defaults of
 * {@link Objectives}.
 */
public interface SplitObjective extends Objective {
    /** A copy of this objective that reads {@code split}'s batch instead. */
    SplitObjective on(Split split);
}
