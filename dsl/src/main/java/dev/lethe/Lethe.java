package dev.lethe;

import dev.lethe.attack.Attack;
import dev.lethe.data.DataSource;
import dev.lethe.data.FictitiousFacts;
import dev.lethe.data.Split;
import dev.lethe.model.GptConfig;
import dev.lethe.model.HfModel;
import dev.lethe.model.ModelSpec;
import dev.lethe.objective.Objective;
import dev.lethe.recipe.RecipeCodec;
import dev.lethe.result.RunListener;
import dev.lethe.result.RunResult;
import dev.lethe.run.ConsoleProgress;
import dev.lethe.run.Runner;
import dev.lethe.spec.AcuLearning;
import dev.lethe.spec.AcuUnlearning;
import dev.lethe.spec.Attacking;
import dev.lethe.spec.Attribution;
import dev.lethe.spec.Evaluation;
import dev.lethe.spec.Finetune;
import dev.lethe.spec.GuardIt;
import dev.lethe.spec.HfReference;
import dev.lethe.spec.Learn;
import dev.lethe.spec.Recipe;
import dev.lethe.spec.Reference;
import dev.lethe.spec.Relearning;
import dev.lethe.spec.Save;
import dev.lethe.spec.Stage;
import dev.lethe.spec.Training;
import dev.lethe.spec.Unlearning;
import dev.lethe.util.Version;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * The front door of the DSL: builds {@link Recipe}s, runs them and reads and writes them as YAML. A recipe
 * needs a model and data before anything else; then come its stages, in the order they run:
 *
 * <pre>{@code
 * Recipe r = Lethe.recipe("quickstart")
 *     .model(GptConfig.tiny())
 *     .data(FictitiousFacts.of(50, 0.1))
 *     .learn(Training.of(1000))
 *     .reference()
 *     .unlearn(Unlearning.of(npo()))
 *     .evaluate(Evaluation.defaults())
 *     .seed(42)
 *     .build();
 * RunResult result = Lethe.run(r);          // Kotlin: r.run()
 * String yaml = Lethe.toYaml(r);            // Kotlin: r.toYaml()
 * }</pre>
 */
public final class Lethe {
    /** This library's version; part of every cache key, so a new version never reuses old trained models. */
    public static final String VERSION = Version.LETHE;

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

    /**
     * Runs {@code recipe} with a progress bar per stage on standard error. Trained models are kept in and
     * reused from the default model cache ({@link Runner#defaultCache()}); {@code runner(recipe).noCache().run()}
     * trains every model.
     */
    public static RunResult run(Recipe recipe) {
        return runner(recipe).run();
    }

    /** Runs {@code recipe}, sending progress events to {@code listener}, with the default model cache. */
    public static RunResult run(Recipe recipe, RunListener listener) {
        return Runner.of(recipe).listener(listener).run();
    }

    /**
     * A {@link Runner} of {@code recipe} with a progress bar per stage on standard error, to set options before
     * running, e.g. {@code Lethe.runner(r).noCache().run()} or {@code Lethe.runner(r).cache(dir).run()}.
     */
    public static Runner runner(Recipe recipe) {
        return Runner.of(recipe).listener(ConsoleProgress.toStandardError());
    }

    /**
     * {@code recipe} as a YAML recipe file, every parameter written out; {@link #fromYaml(String)} reads it back
     * as an equal recipe. Custom objectives must be {@link dev.lethe.objective.NamedObjective}s.
     */
    public static String toYaml(Recipe recipe) {
        return RecipeCodec.standard().write(recipe);
    }

    /**
     * The recipe in a YAML (or JSON) text, with the built-in parts.
     *
     * @throws dev.lethe.recipe.RecipeException listing every problem of the text
     */
    public static Recipe fromYaml(String yaml) {
        return RecipeCodec.standard().read(yaml, "<text>");
    }

    /**
     * The recipe in a YAML (or JSON) file, with the built-in parts; for custom parts use a {@link RecipeCodec}
     * over a {@link dev.lethe.recipe.PartRegistry} they were added to.
     *
     * @throws dev.lethe.recipe.RecipeException listing every problem of the file
     */
    public static Recipe fromYaml(Path file) {
        return RecipeCodec.standard().read(file);
    }

    /** First step: the model. */
    public interface ModelStep {
        /** The model's spec, e.g. {@link GptConfig#tiny()}. */
        DataStep model(ModelSpec spec);
    }

    /** Second step: the data. */
    public interface DataStep {
        /** Where the examples come from. */
        RecipeStep data(DataSource source);
    }

    /**
     * The stages, each appended after the ones before; {@link #build()} or {@link #run()} at any point. A recipe
     * built without an {@link Evaluation} stage gets {@link Evaluation#defaults()} as its last stage. Every step
     * returns a new builder and leaves the one it was called on unchanged, so a common beginning can be reused:
     * {@code val base = Lethe.recipe("r").model(m).data(d).learn(t); val a = base.attack(x).build();
     * val b = base.attack(y).build()} gives {@code b} only the attack {@code y}.
     */
    public interface RecipeStep {
        /** Appends any stage. */
        RecipeStep stage(Stage stage);

        /**
         * Appends a {@code learn} stage: {@code training} from scratch on forget ∪ retain ∪ world ∪ real authors
         * ({@link Learn#of}).
         */
        default RecipeStep learn(Training training) {
            return stage(Learn.of(training));
        }

        /** Appends a {@code finetune} stage: the current model trained on {@code splits} ({@link Finetune#of}). */
        default RecipeStep finetune(Training training, Split... splits) {
            return stage(Finetune.of(training, splits));
        }

        /**
         * Appends a {@code reference} stage trained from scratch on retain ∪ world ∪ real authors with the
         * training of the last {@code learn} stage before it.
         *
         * @throws IllegalStateException when no learn stage comes before
         */
        RecipeStep reference();

        /**
         * Appends a {@code reference} stage trained from scratch on retain ∪ world ∪ real authors
         * ({@link Reference#of}).
         */
        default RecipeStep reference(Training training) {
            return stage(Reference.of(training));
        }

        /**
         * Appends a {@code reference} stage that loads the reference from the Hugging Face folder of {@code folder}
         * instead of training it (a published retain model; {@link HfReference}), as {@code reference: {hf: DIR}}
         * does in a recipe file: {@code .reference(HfModel.at("models/retain90"))}.
         */
        default RecipeStep reference(HfModel folder) {
            return stage(HfReference.of(folder));
        }

        /**
         * Appends an {@code attribute} stage: {@code models} subset models trained as {@code training} says, the
         * datamodel that {@link dev.lethe.objective.DatamodelMatching} reads ({@link Attribution#of}).
         */
        default RecipeStep attribute(Training training, int models) {
            return stage(Attribution.of(training, models));
        }

        /** Appends an {@code unlearn} stage. */
        default RecipeStep unlearn(Unlearning unlearning) {
            return stage(unlearning);
        }

        /**
         * Appends an {@code acu_learn} stage with its defaults ({@link AcuLearning#defaults()}): ACU's analytic head
         * fitted in closed form on the current model's last block, replacing its LM head's logits.
         */
        default RecipeStep acuLearn() {
            return stage(AcuLearning.defaults());
        }

        /** Appends an {@code acu_learn} stage ({@link AcuLearning}). */
        default RecipeStep acuLearn(AcuLearning learning) {
            return stage(learning);
        }

        /**
         * Appends an {@code acu_unlearn} stage ({@link AcuUnlearning}): the forget split removed from the analytic head
         * of an earlier {@code acu_learn} in {@code requests} exact, sequential requests.
         */
        default RecipeStep acuUnlearn(int requests) {
            return stage(new AcuUnlearning(requests));
        }

        /**
         * Appends a {@code guard_it} stage: GUARD-IT's gated steering fitted on the forget split, no training
         * ({@link GuardIt}); e.g. {@code .guardIt(GuardIt.defaults().withStrength(-0.5))}.
         */
        default RecipeStep guardIt(GuardIt stage) {
            return stage(stage);
        }

        /** Appends a {@code relearn} stage: {@code steps} steps on {@code examples} forget examples at {@code lr}. */
        default RecipeStep relearn(long steps, int examples, double lr) {
            return stage(new Relearning(steps, examples, lr, null));
        }

        /**
         * Adds an attack on the current model (see {@link dev.lethe.attack.Attacks}) to the {@code attack} stage
         * this call appends, or to the one the previous call appended; each attacked model is evaluated as
         * {@code <current>+<name>}.
         */
        RecipeStep attack(Attack attack);

        /**
         * Robustness evaluation: adds each of {@code attacks} as by {@link #attack(Attack)}, e.g.
         * {@code .robustness(relearn(20, 5, 1e-3), quantize(4))}; {@link dev.lethe.report.RunTables#attackDeltas}
         * then shows the change each attack makes.
         */
        default RecipeStep robustness(Attack... attacks) {
            RecipeStep step = this;
            for (Attack a : attacks) {
                step = step.attack(a);
            }
            return step;
        }

        /** Appends an {@code evaluate} stage. */
        default RecipeStep evaluate(Evaluation evaluation) {
            return stage(evaluation);
        }

        /**
         * Appends a {@code save} stage writing the current model to {@code file}: {@code x.safetensors}, or a Hugging
         * Face folder {@code x} ({@link Save}).
         */
        default RecipeStep save(String file) {
            return stage(new Save(file));
        }

        /** The seed (default 42). */
        RecipeStep seed(long seed);

        /** The device: {@code cpu} (default), {@code gpu}, {@code gpu:N}, or {@code auto} (a GPU when there is one). */
        RecipeStep device(String device);

        /**
         * The immutable recipe.
         *
         * @throws IllegalArgumentException when a field or the stage list is invalid
         */
        Recipe build();

        /** Builds and runs, with a progress bar per stage on standard error. */
        default RunResult run() {
            return Lethe.run(build());
        }

        /** Builds and runs, sending progress events to {@code listener}. */
        default RunResult run(RunListener listener) {
            return Lethe.run(build(), listener);
        }
    }

    /**
     * The one implementation of the steps: a value. Every method returns a new builder and leaves this one as it
     * was, so a half-built recipe can be branched ({@code base.attack(x)} and {@code base.attack(y)} give two
     * recipes with one attack each).
     */
    private record Builder(String name, @Nullable ModelSpec model, @Nullable DataSource data, List<Stage> stages,
            long seed, String device) implements ModelStep, DataStep, RecipeStep {
        Builder(String name) {
            this(name, null, null, List.of(), 42, "cpu");
        }

        Builder {
            stages = List.copyOf(stages);
        }

        @Override
        public DataStep model(ModelSpec spec) {
            return new Builder(name, spec, data, stages, seed, device);
        }

        @Override
        public RecipeStep data(DataSource source) {
            return new Builder(name, model, source, stages, seed, device);
        }

        @Override
        public RecipeStep stage(Stage stage) {
            List<Stage> more = new ArrayList<>(stages);
            more.add(stage);
            return new Builder(name, model, data, more, seed, device);
        }

        @Override
        public RecipeStep reference() {
            for (int i = stages.size() - 1; i >= 0; i--) {
                if (stages.get(i) instanceof Learn l) {
                    return stage(Reference.of(l.training()));
                }
            }
            throw new IllegalStateException("reference() trains like the learn stage before it, and there is none: "
                    + "call learn(...) first, or reference(training)");
        }

        @Override
        public RecipeStep attack(Attack attack) {
            int last = stages.size() - 1;
            if (last >= 0 && stages.get(last) instanceof Attacking a) {
                List<Stage> changed = new ArrayList<>(stages);
                changed.set(last, a.plus(attack));
                return new Builder(name, model, data, changed, seed, device);
            }
            return stage(Attacking.of(attack));
        }

        @Override
        public RecipeStep seed(long newSeed) {
            return new Builder(name, model, data, stages, newSeed, device);
        }

        @Override
        public RecipeStep device(String newDevice) {
            return new Builder(name, model, data, stages, seed, newDevice);
        }

        @Override
        public Recipe build() {
            if (model == null || data == null) {
                throw new IllegalStateException("a recipe needs a model and data");
            }
            List<Stage> all = new ArrayList<>(stages);
            if (all.stream().noneMatch(s -> s instanceof Evaluation)) {
                all.add(Evaluation.defaults());
            }
            return new Recipe(name, seed, device, model, data, all);
        }
    }
}
