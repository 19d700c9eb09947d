package dev.lethe.recipe;

import dev.lethe.Stage;
import dev.lethe.attack.Attack;
import dev.lethe.data.DataSource;
import dev.lethe.eval.Suite;
import dev.lethe.model.ModelSpec;
import dev.lethe.objective.Objective;
import dev.lethe.optim.Estimator;
import dev.lethe.optim.GradientCombiner;
import dev.lethe.optim.Schedule;
import dev.lethe.optim.Transform;

/**
 * A place in a recipe where one of several kinds of part goes, e.g. an objective: the file names the kind
 * ({@code npo}) and its parameters. {@link PartRegistry} holds the kinds of each slot.
 *
 * @param name the slot's name in messages and {@code lethe list} ({@code objective})
 * @param type what its parts are
 * @param <T> what its parts are
 */
public record Slot<T>(String name, Class<T> type) {
    /** The stages of a recipe's pipeline. */
    public static final Slot<Stage> STAGE = new Slot<>("stage", Stage.class);
    /** The model's shape. */
    public static final Slot<ModelSpec> MODEL = new Slot<>("model", ModelSpec.class);
    /** Where the examples come from. */
    public static final Slot<DataSource> DATA = new Slot<>("data", DataSource.class);
    /** Unlearning objectives and their combinators. */
    public static final Slot<Objective> OBJECTIVE = new Slot<>("objective", Objective.class);
    /** How a combined objective turns its parts' gradients into one direction. */
    public static final Slot<GradientCombiner> COMBINER = new Slot<>("combiner", GradientCombiner.class);
    /** The first half of an optimizer: where the direction comes from. */
    public static final Slot<Estimator> ESTIMATOR = new Slot<>("estimator", Estimator.class);
    /** The links of an optimizer chain. */
    public static final Slot<Transform> TRANSFORM = new Slot<>("transform", Transform.class);
    /** Learning-rate schedules and scheduled weights. */
    public static final Slot<Schedule> SCHEDULE = new Slot<>("schedule", Schedule.class);
    /** Evaluation suites. */
    public static final Slot<Suite> SUITE = new Slot<>("suite", Suite.class);
    /** Attacks on the unlearned model. */
    public static final Slot<Attack> ATTACK = new Slot<>("attack", Attack.class);
}
