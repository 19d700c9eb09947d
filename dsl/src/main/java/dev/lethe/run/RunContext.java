package dev.lethe.run;

import ai.djl.Device;
import dev.lethe.data.Dataset;
import dev.lethe.data.QaExample;
import dev.lethe.data.Split;
import dev.lethe.eval.CrossModelMetrics;
import dev.lethe.eval.Metric;
import dev.lethe.eval.MetricValue;
import dev.lethe.eval.ReferenceKl;
import dev.lethe.eval.Suite;
import dev.lethe.model.CausalLm;
import dev.lethe.model.HfModel;
import dev.lethe.model.ModelSpec;
import dev.lethe.model.Tokenizer;
import dev.lethe.result.RunEvent;
import dev.lethe.result.RunListener;
import dev.lethe.result.RunResult;
import dev.lethe.spec.Continual;
import dev.lethe.spec.Evaluation;
import dev.lethe.spec.ModelRole;
import dev.lethe.spec.NamedStage;
import dev.lethe.spec.Recipe;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * The state one run shares among its stages: what the recipe resolved to (device, data, tokenizer, model
 * shape), the models the stages left (by name, in the order made) and which one is current, the rows measured
 * so far, the event log, and the checkpoints. Stages read and extend it in order; {@link #result()} turns it
 * into the {@link RunResult}.
 */
final class RunContext implements AutoCloseable {
    static final String KL = ReferenceKl.KL_TO_REFERENCE.name();
    private static final int KL_BATCH = 64;

    private final Recipe recipe;
    private final Device device;
    private final Dataset data;
    private final Tokenizer tokenizer;
    private final ModelSpec config;
    private final @Nullable ModelCache cache;
    private final @Nullable Checkpoints checkpoints;
    private final Path saveDir;
    private final List<RunListener> listeners;
    private final List<RunEvent> log = new ArrayList<>();
    private final Checkpoints.Manifest restored;
    private Checkpoints.@Nullable Mid pendingMid;

    private final Map<String, CausalLm> models = new LinkedHashMap<>();
    private @Nullable String current;
    private @Nullable String reference;
    private @Nullable AttributedShifts attribution;
    private final List<String> evaluated = new ArrayList<>();
    private final Map<String, ModelRole> roles = new LinkedHashMap<>();

    private final List<RunResult.Row> evaluateRows = new ArrayList<>();
    private final List<RunResult.Row> attackRows = new ArrayList<>();
    private final List<List<RunResult.Row>> curves = new ArrayList<>();
    private final Map<String, Map<Split, Map<String, MetricValue>>> values = new LinkedHashMap<>();
    private int stage;
    private @Nullable String modelHash;

    RunContext(Recipe recipe, Device device, Dataset data, Tokenizer tokenizer, ModelSpec config,
            @Nullable ModelCache cache, @Nullable Checkpoints checkpoints, Path saveDir, List<RunListener> listeners) {
        this.recipe = recipe;
        this.device = device;
        this.data = data;
        this.tokenizer = tokenizer;
        this.config = config;
        this.cache = cache;
        this.checkpoints = checkpoints;
        this.saveDir = saveDir;
        this.listeners = List.copyOf(listeners);
        this.restored = checkpoints == null ? Checkpoints.Manifest.EMPTY : checkpoints.manifest();
        this.pendingMid = restored.mid();
        List<NamedStage> named = recipe.named();
        for (int i = 0; i < named.size(); i++) {
            curves.add(new ArrayList<>());
        }
        for (RunResult.Row row : restored.rows()) {
            curves.get(stageOf(row.stage(), named)).add(row);
        }
    }

    /** The index of the stage that the unit {@code unit} ({@code unlearn} or {@code unlearn.request2}) belongs to. */
    private static int stageOf(String unit, List<NamedStage> named) {
        for (NamedStage s : named) {
            if (unit.equals(s.name()) || unit.startsWith(s.name() + ".request")) {
                return s.index();
            }
        }
        throw new IllegalArgumentException("the checkpoints hold curve rows of a stage '" + unit + "' that the "
                + "recipe does not have");
    }

    Recipe recipe() {
        return recipe;
    }

    long seed() {
        return recipe.seed();
    }

    Device device() {
        return device;
    }

    Dataset data() {
        return data;
    }

    Tokenizer tokenizer() {
        return tokenizer;
    }

    ModelSpec config() {
        return config;
    }

    /**
     * What the model cache keys the recipe's model on: the content hash of a model folder's files
     * ({@link HfModel#files()}), computed once; null for a model spec (its canonical text is the key).
     */
    @Nullable String modelHash() {
        if (modelHash == null && recipe.model() instanceof HfModel hf) {
            modelHash = ContentHash.files(hf.dir(), hf.files());
        }
        return modelHash;
    }

    @Nullable ModelCache cache() {
        return cache;
    }

    @Nullable Checkpoints checkpoints() {
        return checkpoints;
    }

    Path saveDir() {
        return saveDir;
    }

    /** What the checkpoints held when the run started. */
    Checkpoints.Manifest restored() {
        return restored;
    }

    /** The mid-stage checkpoint of {@code unit}, once (null when there is none for it). */
    Checkpoints.@Nullable Mid takeMid(String unit) {
        Checkpoints.Mid mid = pendingMid;
        if (mid != null && mid.stage().equals(unit)) {
            pendingMid = null;
            return mid;
        }
        return null;
    }

    /** Sets the stage that is running (its curve rows go to its place in the results). */
    void enter(int index) {
        stage = index;
    }

    /**
     * The current model: the last one a stage that {@link dev.lethe.spec.Stage#replacesCurrent() replaces it} left, or,
     * before any, the recipe's model (called {@code initial}): a model folder's weights, or the recipe's model spec
     * newly initialised (seeded by {@code initial.init}).
     */
    CausalLm current() {
        if (current == null) {
            String initial = ModelRole.INITIAL.baseName();
            keep(initial, ModelRole.INITIAL, recipe.model() instanceof HfModel hf ? hf.load(device)
                    : CausalLm.initialize(config, Seeds.derive(recipe.seed(), initial + ".init"), device));
            current = initial;
        }
        return models.get(current);
    }

    /** The current model's name. */
    String currentName() {
        current();
        return Objects.requireNonNull(current);
    }

    /** The model called {@code name}. */
    CausalLm model(String name) {
        CausalLm m = models.get(name);
        if (m == null) {
            throw new IllegalStateException("no model called '" + name + "' was made before this stage");
        }
        return m;
    }

    /** The reference model, or null before a reference stage. */
    @Nullable CausalLm reference() {
        return reference == null ? null : models.get(reference);
    }

    /** The shifts the last attribute stage left, or null before one. */
    @Nullable AttributedShifts attribution() {
        return attribution;
    }

    /** Keeps {@code shifts} as what the attribute stage that just ran left. */
    void attributed(AttributedShifts shifts) {
        attribution = shifts;
    }

    /**
     * Keeps {@code model} as what stage {@code named} left: under its name and role, as the current model when
     * the stage {@link dev.lethe.spec.Stage#replacesCurrent() replaces it}, as the reference for a reference stage.
     */
    void add(NamedStage named, CausalLm model) {
        String name = Objects.requireNonNull(named.model());
        ModelRole role = Objects.requireNonNull(named.role());
        keep(name, role, model);
        if (named.stage().replacesCurrent()) {
            current = name;
        }
        if (role == ModelRole.REFERENCE) {
            reference = name;
        }
    }

    private void keep(String name, ModelRole role, CausalLm model) {
        CausalLm old = models.put(name, model);
        if (old != null) {
            old.close();
        }
        roles.put(name, role);
    }

    /** Records that the attacked model {@code name} was measured. */
    void attacked(String name) {
        roles.put(name, ModelRole.ATTACKED);
    }

    /** The models made since the last evaluation, in the order made; marks them evaluated. */
    Map<String, CausalLm> unevaluated() {
        Map<String, CausalLm> out = new LinkedHashMap<>();
        models.forEach((name, m) -> {
            if (!evaluated.contains(name)) {
                out.put(name, m);
                evaluated.add(name);
            }
        });
        return out;
    }

    /** The final rows of evaluate stages. */
    List<RunResult.Row> evaluateRows() {
        return evaluateRows;
    }

    /** The final rows of attacked models. */
    List<RunResult.Row> attackRows() {
        return attackRows;
    }

    /** The curve rows of the running stage. */
    List<RunResult.Row> curves() {
        return curves.get(stage);
    }

    /** The curve rows of every training stage (what checkpoints keep), in stage order. */
    List<RunResult.Row> trainingCurves() {
        List<RunResult.Row> out = new ArrayList<>();
        for (NamedStage s : recipe.named()) {
            if (s.stage().checkpointed()) {
                out.addAll(curves.get(s.index()));
            }
        }
        return out;
    }

    /**
     * Every suite of {@code evaluation} on {@code split} of {@code model}, as rows of {@code stage} after
     * {@code step} steps added to {@code rows}; also kept, as {@code name}'s, in the values the cross-model
     * metrics read when {@code keep}.
     */
    void measure(String name, String stageName, long step, CausalLm model, Evaluation evaluation, Split split,
            Dataset examples, List<RunResult.Row> rows, boolean keep) {
        for (Suite suite : evaluation.suites()) {
            for (MetricValue v : suite.evaluate(model, tokenizer, examples.view(split))) {
                rows.add(new RunResult.Row(name, stageName, split.id(), v.name(), v.value(), step));
                if (keep) {
                    values.computeIfAbsent(name, k -> new EnumMap<>(Split.class))
                            .computeIfAbsent(split, k -> new LinkedHashMap<>()).put(v.name(), v);
                }
            }
        }
    }

    /** KL to the reference on the forget and retain splits of {@code examples}, as rows; none without a reference. */
    List<RunResult.Row> klRows(String name, String stageName, CausalLm model, Dataset examples) {
        CausalLm ref = reference();
        List<RunResult.Row> out = new ArrayList<>();
        if (ref == null || ref == model) {
            return out;
        }
        for (Split split : List.of(Split.FORGET, Split.RETAIN)) {
            List<QaExample> qa = examples.get(split);
            if (!qa.isEmpty()) {
                out.add(new RunResult.Row(name, stageName, split.id(), KL,
                        ReferenceKl.meanKl(ref, model, tokenizer, qa, KL_BATCH), 0));
            }
        }
        return out;
    }

    /** The event that ended the last run of {@code unit}. */
    RunEvent.StageFinished lastFinished(String unit) {
        for (int i = log.size() - 1; i >= 0; i--) {
            if (log.get(i) instanceof RunEvent.StageFinished f && f.stage().equals(unit)) {
                return f;
            }
        }
        throw new IllegalStateException("stage " + unit + " has not finished");
    }

    /**
     * The model the single-unit stage {@code named} left, when the checkpoints hold it finished: loaded, with the
     * stage's events replayed; otherwise null (the stage must run).
     */
    @Nullable CausalLm finishedModel(NamedStage named, long steps) {
        String file = restored.models().get(Objects.requireNonNull(named.model()));
        if (checkpoints == null || file == null || restored.finished(named.name()) == null) {
            return null;
        }
        replayFinished(named.name(), steps);
        return checkpoints.loadModel(file, config, device);
    }

    /** Checkpoints {@code model}, called {@code modelName}, as {@code unit} left it (when the run keeps checkpoints). */
    void unitDone(String unit, String modelName, CausalLm model) {
        if (checkpoints != null) {
            emit(checkpoints.stageDone(lastFinished(unit), modelName, model, trainingCurves()));
        }
    }

    /** Emits the start and the recorded end of a unit that the checkpoints hold as finished. */
    void replayFinished(String unit, long steps) {
        RunEvent.StageFinished f = restored.finished(unit);
        if (f == null) {
            throw new IllegalStateException("the checkpoints hold the model of stage " + unit + " but not its end");
        }
        emit(new RunEvent.StageStarted(unit, steps));
        emit(new RunEvent.StageFinished(f.stage(), f.seconds(), f.stepsDone(), f.stopReason(), true));
    }

    /** Sends {@code event} to the listeners and keeps it in the log. */
    void emit(RunEvent event) {
        log.add(event);
        for (RunListener l : listeners) {
            l.onEvent(event);
        }
    }

    /**
     * The result: the evaluate stages' rows, the attacked models', the cross-model metrics over every model
     * measured, then the curves in stage order.
     */
    RunResult result() {
        List<RunResult.Row> rows = new ArrayList<>(evaluateRows);
        rows.addAll(attackRows);
        for (CrossModelMetrics.Derived d : CrossModelMetrics.compute(values, reference,
                recipe.privleakRetrainAuc())) {
            rows.add(RunResult.Row.of(d.model(), d.split(), d.metric(), d.value()));
        }
        curves.forEach(rows::addAll);
        return new RunResult(recipe, rows, log, perExample(), metrics(), roles);
    }

    /**
     * Every metric the run can have measured, by name: those of each evaluate stage, of the evaluations that
     * attack stages and sequential unlearning use, of every continual evaluation, then the cross-model metrics
     * and {@code kl_to_reference}.
     */
    private Map<String, Metric> metrics() {
        List<Metric> all = new ArrayList<>();
        for (NamedStage s : recipe.named()) {
            if (s.stage() instanceof Evaluation e) {
                all.addAll(e.metrics());
            }
            all.addAll(recipe.evaluationAfter(s.index()).metrics());
            Continual c = s.stage().continual();
            if (c != null) {
                c.suites().forEach(suite -> all.addAll(suite.metrics()));
            }
        }
        all.addAll(CrossModelMetrics.METRICS);
        all.add(ReferenceKl.KL_TO_REFERENCE);
        all.add(AttributeStage.DM_DIRECT_KL);
        return Metric.byName(all);
    }

    /** The per-example values the suites kept, for plots (ROC curves). */
    private List<RunResult.Scores> perExample() {
        List<RunResult.Scores> out = new ArrayList<>();
        values.forEach((model, bySplit) -> bySplit.forEach((split, byMetric) -> byMetric.forEach((metric, v) -> {
            if (v.perExample().length > 0) {
                out.add(new RunResult.Scores(model, split.id(), metric, v.perExample().clone()));
            }
        })));
        return out;
    }

    /** Closes every model, and the tokenizer when it holds native memory. */
    @Override
    public void close() {
        models.values().forEach(CausalLm::close);
        Preflight.close(tokenizer);
    }
}
