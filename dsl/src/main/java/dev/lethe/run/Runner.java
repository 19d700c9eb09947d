package dev.lethe.run;

import ai.djl.Device;
import ai.djl.engine.Engine;
import dev.lethe.result.RunListener;
import dev.lethe.result.RunResult;
import dev.lethe.spec.AcuLearning;
import dev.lethe.spec.AcuUnlearning;
import dev.lethe.spec.Attacking;
import dev.lethe.spec.Attribution;
import dev.lethe.spec.Evaluation;
import dev.lethe.spec.Finetune;
import dev.lethe.spec.GuardIt;
import dev.lethe.spec.HfReference;
import dev.lethe.spec.Learn;
import dev.lethe.spec.NamedStage;
import dev.lethe.spec.Recipe;
import dev.lethe.spec.Reference;
import dev.lethe.spec.Relearning;
import dev.lethe.spec.Save;
import dev.lethe.spec.Stage;
import dev.lethe.spec.Unlearning;
import dev.lethe.util.Printable;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Executes a {@link Recipe}: its stages in order, each by its {@link StageRunner}, over one shared
 * {@link RunContext} and one {@link TrainingLoop}, emitting {@link RunEvent}s, and returns a {@link RunResult}.
 *
 * <p>Every random stream derives from the recipe's seed and the stage's name ({@link dev.lethe.spec.NamedStage}), so
 * the same recipe on the same machine gives the same numbers (libtorch runs with one intra-op thread unless
 * {@link Threads} says otherwise). A training stage whose loss turns NaN or infinite stops there, and the
 * reason is recorded.
 *
 * <p>Rows: the final values carry the stage {@value RunResult#EVALUATE} (models measured by evaluate stages,
 * and the cross-model metrics) or {@value RunResult#ATTACK} (attacked models), with step 0; they come first, in
 * that order. Then the curves, stage by stage: continual evaluation of a training stage (its rows carry the
 * stage's or request's name and the steps done) and the per-request evaluation of a sequential unlearning
 * stage.
 *
 * <p>The model cache is on by default: a training stage (learn, finetune, reference) whose training and input
 * are those of one trained before loads that model instead of training again. The key is a hash of what
 * determined the model: the canonical recipe text of the training (model spec, stage, seed, Lethe's version)
 * and the content it read (its examples, the vocabulary, the weights it started from), never a path. The
 * default folder is {@link #defaultCache()}; {@link #cache(Path)} picks another, {@link #noCache()} trains
 * every model. A stage evaluated continually is always trained (its curve is part of the result).
 *
 * <p>With {@link #checkpoints}, the training stages keep checkpoints from which a killed run continues to
 * the same result; without, nothing is written (but the model cache and {@link Save} stages).
 */
public final class Runner {
    private static final Map<Class<? extends Stage>, StageRunner<?>> STAGES = new LinkedHashMap<>();

    static {
        register(Learn.class, TrainStage::learn);
        register(Finetune.class, TrainStage::finetune);
        register(Reference.class, TrainStage::reference);
        register(HfReference.class, HfReferenceStage::run);
        register(Attribution.class, AttributeStage::run);
        register(Unlearning.class, UnlearnStage::run);
        register(GuardIt.class, GuardItStage::run);
        register(Relearning.class, RelearnStage::run);
        register(AcuLearning.class, AcuStage::learn);
        register(AcuUnlearning.class, AcuStage::unlearn);
        register(Attacking.class, AttackStage::run);
        register(Evaluation.class, EvaluateStage::run);
        register(Save.class, SaveStage::run);
    }

    /** The name of the random stream a generated data source is loaded with. */
    static final String DATA_STREAM = "data";

    private final Recipe recipe;
    private final List<RunListener> listeners = new ArrayList<>();
    private @Nullable Path cacheDir;
    private boolean cacheOff;
    private @Nullable Checkpoints checkpoints;
    private Path saveDir = Path.of("");

    private Runner(Recipe recipe) {
        this.recipe = recipe;
    }

    private static <S extends Stage> void register(Class<S> type, StageRunner<S> runner) {
        STAGES.put(type, runner);
    }

    /** A runner for {@code recipe}. */
    public static Runner of(Recipe recipe) {
        return new Runner(recipe);
    }

    /** Adds a listener. */
    public Runner listener(RunListener listener) {
        listeners.add(listener);
        return this;
    }

    /**
     * Keeps the models of training stages (learn, finetune, reference) in {@code dir} instead of the
     * {@link #defaultCache() default folder}, and reuses them in later runs of the same training.
     */
    public Runner cache(Path dir) {
        this.cacheDir = dir;
        this.cacheOff = false;
        return this;
    }

    /** Trains every model, reading and writing no model cache (the default cache included). */
    public Runner noCache() {
        this.cacheDir = null;
        this.cacheOff = true;
        return this;
    }

    /**
     * The folder of the default model cache: the system property {@code lethe.cache}, else the environment
     * variable {@code LETHE_CACHE}, else {@code ~/.cache/lethe/models} (the one the command line uses); null when
     * the property or the variable is {@code off}.
     */
    public static @Nullable Path defaultCache() {
        ModelCache standard = ModelCache.standard();
        return standard == null ? null : standard.dir();
    }

    /**
     * Keeps checkpoints in {@code dir} ({@link Checkpoints}): the model of each finished training stage (each
     * unlearning request) and, every {@code every} steps of a training stage, its weights, optimizer state, data
     * positions and objective state. When {@code dir} already holds checkpoints of this recipe (a run that was
     * killed), the run continues from the latest one and ends with the same metrics as a run that was never
     * interrupted; the attack, evaluate and save stages are repeated.
     *
     * @param every steps between mid-stage checkpoints; 0 keeps only the stage ends
     * @throws IllegalArgumentException when {@code dir}'s manifest is unreadable, names a file outside
     *     {@code dir} or holds steps this recipe does not have
     */
    public Runner checkpoints(Path dir, long every) {
        this.checkpoints = Checkpoints.open(dir, every, recipe);
        return this;
    }

    /**
     * Takes the trained models from the checkpoints a finished run left in {@code dir} ({@link #checkpoints})
     * without writing or deleting anything there: every training stage is loaded, the attack, evaluate and
     * save stages run again (what {@code lethe eval} does).
     *
     * @throws IllegalArgumentException when {@code dir}'s manifest is unreadable, names a file outside
     *     {@code dir}, or does not hold every training stage of this recipe finished
     */
    public Runner restoreFrom(Path dir) {
        this.checkpoints = Checkpoints.readOnly(dir, recipe);
        return this;
    }

    /** Where {@link Save} stages write (default: the working directory). */
    public Runner saveTo(Path dir) {
        this.saveDir = dir;
        return this;
    }

    /**
     * Parses {@code cpu}, {@code gpu}, {@code gpu:N} or {@code auto} (the first GPU when the engine sees one,
     * otherwise the CPU: a notebook or recipe that runs on a GPU where there is one).
     */
    public static Device device(String name) {
        String n = name.trim().toLowerCase(Locale.ROOT);
        if (n.equals("cpu")) {
            return Device.cpu();
        }
        if (n.equals("auto")) {
            return Engine.getInstance().getGpuCount() > 0 ? Device.gpu(0) : Device.cpu();
        }
        if (n.equals("gpu") || n.startsWith("gpu:")) {
            int index;
            try {
                index = n.equals("gpu") ? 0 : Integer.parseInt(n.substring(4));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("device '" + Printable.escape(name) + "': the GPU index must be a "
                        + "number from 0 to " + (Engine.getInstance().getGpuCount() - 1) + " (gpu:N)", e);
            }
            int visible = Engine.getInstance().getGpuCount();
            if (index >= visible) {
                throw new IllegalArgumentException("device '" + Printable.escape(name) + "' was asked for, but the engine sees "
                        + visible + " GPU(s): the default build bundles libtorch for the CPU; build with -Pgpu and "
                        + "run with LETHE_DJL_OFFLINE=false (README, section \"Speed against PyTorch, and running on a GPU\")");
            }
            return Device.gpu(index);
        }
        throw new IllegalArgumentException("unknown device '" + Printable.escape(name)
                + "'; expected cpu, gpu, gpu:N or auto");
    }

    /**
     * Runs every stage of the recipe, in order, after the checks of {@link Preflight} (native libraries from a safe
     * folder, device, data, splits, model size).
     *
     * @throws IllegalArgumentException when a check fails, before anything is trained or written
     */
    public RunResult run() {
        Preflight.Resolved resolved = Preflight.resolve(recipe);
        Threads.apply();
        Engine.getInstance().setRandomSeed((int) Seeds.derive(recipe.seed(), "engine"));
        ModelCache cache = cacheOff ? null : cacheDir != null ? new ModelCache(cacheDir) : ModelCache.standard();
        try (RunContext run = new RunContext(recipe, resolved.device(), resolved.data(), resolved.tokenizer(),
                resolved.config(), cache, checkpoints, saveDir, listeners)) {
            for (NamedStage named : recipe.named()) {
                run.enter(named.index());
                runStage(named, named.stage(), run);
            }
            return run.result();
        }
    }

    @SuppressWarnings("unchecked")
    private static <S extends Stage> void runStage(NamedStage named, S stage, RunContext run) {
        StageRunner<S> runner = (StageRunner<S>) STAGES.get(stage.getClass());
        if (runner == null) {
            throw new IllegalArgumentException("no runner for the stage kind '" + stage.kind() + "' ("
                    + stage.getClass().getName() + ")");
        }
        runner.run(named, stage, run);
    }
}
