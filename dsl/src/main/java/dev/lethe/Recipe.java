package dev.lethe;

import dev.lethe.attack.Attack;
import dev.lethe.data.DataSource;
import dev.lethe.model.GptConfig;
import dev.lethe.recipe.RecipeCodec;
import dev.lethe.run.ConsoleProgress;
import dev.lethe.run.RunListener;
import dev.lethe.run.Runner;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * An unlearning experiment as plain, immutable data: a model shape, data with forget/retain splits, and
 * the stages {@code learn → reference → unlearn → attack → evaluate}. Build one with {@link Lethe#recipe(String)};
 * run it with {@link #run()} (which hands it to a {@link Runner}).
 *
 * @param name a name for the run
 * @param seed the one seed every random stream derives from
 * @param device {@code "cpu"}, {@code "gpu"}, {@code "gpu:N"} or {@code "auto"} (a GPU when the engine sees one)
 * @param model the model shape (vocabulary size 0 = the data's tokenizer's)
 * @param data the examples
 * @param learn training of the model that memorises everything (forget ∪ retain ∪ world)
 * @param reference training of the retrained-without-forget gold standard (retain ∪ world), or null
 * @param unlearn the unlearning stage, or null
 * @param evaluate what to measure
 * @param attacks attacks on the unlearned model, each evaluated with {@code evaluate}'s suites and splits
 *     as the model {@code unlearned+<name>}; names must be distinct
 */
public record Recipe(String name, long seed, String device, GptConfig model, DataSource data, Training learn,
        @Nullable Training reference, @Nullable Unlearning unlearn, Evaluation evaluate, List<Attack> attacks) {

    /** Copies the attacks and checks that their names are distinct. */
    public Recipe {
        attacks = List.copyOf(attacks);
        Set<String> names = new HashSet<>();
        for (Attack a : attacks) {
            if (!names.add(a.name())) {
                throw new IllegalArgumentException("two attacks are called '" + a.name() + "'");
            }
        }
    }

    /** A recipe without attacks. */
    public Recipe(String name, long seed, String device, GptConfig model, DataSource data, Training learn,
            @Nullable Training reference, @Nullable Unlearning unlearn, Evaluation evaluate) {
        this(name, seed, device, model, data, learn, reference, unlearn, evaluate, List.of());
    }

    /** A copy with {@code attack} added after the others. */
    public Recipe attack(Attack attack) {
        List<Attack> more = new ArrayList<>(attacks);
        more.add(attack);
        return new Recipe(name, seed, device, model, data, learn, reference, unlearn, evaluate, more);
    }

    /**
     * This recipe as a YAML recipe file, every parameter written out; {@link #fromYaml(String)} reads it back
     * as an equal recipe, with the built-in parts (a custom objective needs a {@link RecipeCodec} whose registry
     * holds its kind, {@link dev.lethe.objective.NamedObjective#kind}).
     */
    public String toYaml() {
        return RecipeCodec.standard().write(this);
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
     * The recipe in a YAML (or JSON) file, with the built-in parts; for custom objectives use a
     * {@link RecipeCodec} over a {@link dev.lethe.recipe.PartRegistry} that holds their kinds
     * ({@link dev.lethe.objective.NamedObjective#kind}).
     *
     * @throws dev.lethe.recipe.RecipeException listing every problem of the file
     */
    public static Recipe fromYaml(Path file) {
        return RecipeCodec.standard().read(file);
    }

    /** Runs the recipe with a progress bar per stage on standard error. */
    public RunResult run() {
        return Runner.of(this).listener(ConsoleProgress.toStandardError()).run();
    }

    /** Runs the recipe, sending progress events to {@code listener}. */
    public RunResult run(RunListener listener) {
        return Runner.of(this).listener(listener).run();
    }
}
