package dev.lethe;

import dev.lethe.attack.Attack;
import dev.lethe.data.DataSource;
import dev.lethe.data.FictitiousFacts;
import dev.lethe.model.GptConfig;
import dev.lethe.objective.Objective;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * The front door of the DSL. A recipe needs a model and data before anything else; the stages are
 * optional:
 *
 * <pre>{@code
 * Recipe r = Lethe.recipe("quickstart")
 *     .model(GptConfig.tiny())
 *     .data(FictitiousFacts.of(50, 0.1))
 *     .learn(Training.of(1200))
 *     .reference()
 *     .unlearn(Unlearning.of(npo()))
 *     .seed(42)
 *     .build();
 * RunResult result = r.run();
 * }</pre>
 */
public final class Lethe {
    /** This library's version; part of every cache key, so a new version never reuses old trained models. */
    public static final String VERSION = "0.2.0";

    private Lethe() {}

    /** Starts a recipe called {@code name}. */
    public static ModelStep recipe(String name) {
        return new Builder(name);
    }

    /** {@code steps} steps of training with the defaults of {@link Training#of}. */
    public static Training training(long steps) {
        return Training.of(steps);
    }

    /** Unlearning with {@code objective} and the defaults of {@link Unlearning#of}. */
    public static Unlearning unlearning(Objective objective) {
        return Unlearning.of(objective);
    }

    /** The built-in fictitious-facts benchmark with {@code people} people, {@code forgetFraction} to forget. */
    public static FictitiousFacts fictitiousFacts(int people, double forgetFraction) {
        return FictitiousFacts.of(people, forgetFraction);
    }

    /** First step: the model. */
    public interface ModelStep {
        /** The model's shape. */
        DataStep model(GptConfig config);
    }

    /** Second step: the data. */
    public interface DataStep {
        /** Where the examples come from. */
        RecipeStep data(DataSource source);
    }

    /** The optional parts; {@link #build()} or {@link #run()} at any point. */
    public interface RecipeStep {
        /** Training of the learned model (default: 1000 steps). */
        RecipeStep learn(Training training);

        /** Trains the reference (retain ∪ world) with the same budget as {@code learn}. */
        RecipeStep reference();

        /** Trains the reference (retain ∪ world) with its own budget. */
        RecipeStep reference(Training training);

        /** The unlearning stage. */
        RecipeStep unlearn(Unlearning unlearning);

        /**
         * Adds an attack on the unlearned model (see {@link dev.lethe.attack.Attacks}); each one is evaluated
         * as the model {@code unlearned+<name>}.
         */
        RecipeStep attack(Attack attack);

        /**
         * Robustness evaluation: adds each of {@code attacks} as by {@link #attack(Attack)}, so the evaluation
         * also reports each attacked model {@code unlearned+<name>} and {@link dev.lethe.report.RunTables#attackDeltas}
         * the change each attack makes, e.g. {@code .robustness(relearn(20, 5, 1e-3), quantize(4))}.
         */
        default RecipeStep robustness(Attack... attacks) {
            RecipeStep step = this;
            for (Attack a : attacks) {
                step = step.attack(a);
            }
            return step;
        }

        /** What to measure (default: {@link Evaluation#defaults()}). */
        RecipeStep evaluate(Evaluation evaluation);

        /** The seed (default 42). */
        RecipeStep seed(long seed);

        /** The device: {@code cpu} (default), {@code gpu}, {@code gpu:N}, or {@code auto} (a GPU when there is one). */
        RecipeStep device(String device);

        /** The immutable recipe. */
        Recipe build();

        /** Builds and runs. */
        default RunResult run() {
            return build().run();
        }
    }

    private static final class Builder implements ModelStep, DataStep, RecipeStep {
        private final String name;
        private @Nullable GptConfig model;
        private @Nullable DataSource data;
        private Training learn = Training.of(1000);
        private boolean referenceLikeLearn;
        private @Nullable Training reference;
        private @Nullable Unlearning unlearn;
        private Evaluation evaluate = Evaluation.defaults();
        private final List<Attack> attacks = new ArrayList<>();
        private long seed = 42;
        private String device = "cpu";

        Builder(String name) {
            this.name = name;
        }

        @Override
        public DataStep model(GptConfig config) {
            this.model = config;
            return this;
        }

        @Override
        public RecipeStep data(DataSource source) {
            this.data = source;
            return this;
        }

        @Override
        public RecipeStep learn(Training training) {
            this.learn = training;
            return this;
        }

        @Override
        public RecipeStep reference() {
            this.referenceLikeLearn = true;
            this.reference = null;
            return this;
        }

        @Override
        public RecipeStep reference(Training training) {
            this.referenceLikeLearn = false;
            this.reference = training;
            return this;
        }

        @Override
        public RecipeStep unlearn(Unlearning unlearning) {
            this.unlearn = unlearning;
            return this;
        }

        @Override
        public RecipeStep attack(Attack attack) {
            this.attacks.add(attack);
            return this;
        }

        @Override
        public RecipeStep evaluate(Evaluation evaluation) {
            this.evaluate = evaluation;
            return this;
        }

        @Override
        public RecipeStep seed(long newSeed) {
            this.seed = newSeed;
            return this;
        }

        @Override
        public RecipeStep device(String newDevice) {
            this.device = newDevice;
            return this;
        }

        @Override
        public Recipe build() {
            if (model == null || data == null) {
                throw new IllegalStateException("a recipe needs a model and data");
            }
            return new Recipe(name, seed, device, model, data, learn, referenceLikeLearn ? learn : reference,
                    unlearn, evaluate, attacks);
        }
    }
}
