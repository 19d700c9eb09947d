package dev.lethe.run;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import dev.lethe.Evaluation;
import dev.lethe.Recipe;
import dev.lethe.RunResult;
import dev.lethe.Training;
import dev.lethe.Unlearning;
import dev.lethe.adapter.Adapters;
import dev.lethe.attack.Attack;
import dev.lethe.attack.AttackContext;
import dev.lethe.attack.Attacked;
import dev.lethe.data.BatchStream;
import dev.lethe.data.Dataset;
import dev.lethe.data.Encoded;
import dev.lethe.data.Passage;
import dev.lethe.data.QaExample;
import dev.lethe.data.Split;
import dev.lethe.eval.CrossModelMetrics;
import dev.lethe.eval.Metric;
import dev.lethe.eval.MetricValue;
import dev.lethe.eval.ReferenceKl;
import dev.lethe.eval.Suite;
import dev.lethe.model.CausalLm;
import dev.lethe.model.GptConfig;
import dev.lethe.model.Precision;
import dev.lethe.model.Tokenizer;
import dev.lethe.objective.Nll;
import dev.lethe.objective.Objective;
import dev.lethe.optim.LossOracle;
import dev.lethe.optim.Optimizer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * Executes a {@link Recipe}: {@code learn → reference → unlearn → attack → evaluate}, emitting
 * {@link RunEvent}s, and returns a {@link RunResult}.
 *
 * <p>The {@code attack} stage attacks the unlearned model only (a recipe without an unlearning stage skips
 * it): each attack's model is built, evaluated with the recipe's suites and splits as
 * {@code unlearned+<name>} and closed before the next, so at most one attacked model is alive. One
 * progress event per attack; a relearning attack's own optimisation steps carry the stage
 * {@code attack.<name>}. The cross-model metrics (forget quality, PrivLeak, ...) cover the attacked models
 * too. Every random stream derives from the recipe's seed, so the same recipe
 * on the same machine gives the same numbers (libtorch runs with one intra-op thread unless {@link Threads}
 * says otherwise). A stage whose loss turns NaN or infinite stops there, and
 * the reason is recorded.
 *
 * <p>Rows: the final values carry the stage {@code evaluate} (learned, reference, unlearned and the
 * cross-model metrics) or {@code attack} (attacked models). With {@link Evaluation#continual()} set, the
 * model being trained by the unlearning stage and by each relearning attack is also evaluated before its
 * first step, every {@code k} steps and after its last one, as rows whose stage is the training stage and
 * whose step is the number of steps done (evaluation runs between steps, outside their scopes, so the
 * trajectory is the same with and without it). A sequential unlearning stage ({@link Unlearning#requests()}
 * &gt; 1) runs its requests as the stages {@code unlearn.request1 … unlearn.request<k>} and evaluates the
 * model after each (the continual suites and splits when set, otherwise the recipe's). With a reference
 * model, {@code kl_to_reference} ({@link ReferenceKl}) is measured on the forget and retain splits for the
 * learned, the unlearned and every attacked model while it and the reference are alive.
 *
 * <p>With {@link #checkpoints}, the training stages keep checkpoints from which a killed run continues to
 * the same result; without, nothing is written (but the {@link #cache model cache}, when set).
 */
public final class Runner {
    private static final String LEARNED = "learned";
    private static final String REFERENCE = "reference";
    private static final String UNLEARNED = "unlearned";
    private static final String KL = ReferenceKl.KL_TO_REFERENCE.name();
    private static final int KL_BATCH = 64;

    private final Recipe recipe;
    private final List<RunListener> listeners = new ArrayList<>();
    private final List<RunEvent> log = new ArrayList<>();
    private final List<RunResult.Row> curveRows = new ArrayList<>();
    private @Nullable ModelCache cache;
    private @Nullable Checkpoints checkpoints;
    private Checkpoints.Manifest restored = Checkpoints.Manifest.EMPTY;
    private Checkpoints.@Nullable Mid pendingMid;

    private Runner(Recipe recipe) {
        this.recipe = recipe;
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

    /** Keeps trained learn/reference models in {@code dir} and reuses them in later runs. */
    public Runner cache(Path dir) {
        this.cache = new ModelCache(dir);
        return this;
    }

    /**
     * Keeps checkpoints in {@code dir} ({@link Checkpoints}): the model of each finished training stage (learn,
     * reference, each unlearning request) and, every {@code every} steps of a training stage, its weights,
     * optimizer state, data positions and objective state. When {@code dir} already holds checkpoints of
     * this recipe (a run that was killed), the run continues from the latest one and ends with the same
     * metrics as a run that was never interrupted; the attack and evaluation stages are repeated from the
     * unlearned model.
     *
     * @param every steps between mid-stage checkpoints; 0 keeps only the stage ends
     * @throws IllegalArgumentException when {@code dir}'s manifest is unreadable
     */
    public Runner checkpoints(Path dir, long every) {
        this.checkpoints = Checkpoints.open(dir, every);
        return this;
    }

    /**
     * Parses {@code cpu}, {@code gpu}, {@code gpu:N} or {@code auto} (the first GPU when the engine sees one,
     * otherwise the CPU: a notebook or recipe that runs on a GPU where there is one).
     */
    public static Device device(String name) {
        String n = name.trim().toLowerCase(java.util.Locale.ROOT);
        if (n.equals("cpu")) {
            return Device.cpu();
        }
        if (n.equals("auto")) {
            return Engine.getInstance().getGpuCount() > 0 ? Device.gpu(0) : Device.cpu();
        }
        if (n.equals("gpu") || n.startsWith("gpu:")) {
            int index = n.equals("gpu") ? 0 : Integer.parseInt(n.substring(4));
            int visible = Engine.getInstance().getGpuCount();
            if (index >= visible) {
                throw new IllegalArgumentException("device '" + name + "' was asked for, but the engine sees "
                        + visible + " GPU(s): the default build bundles libtorch for the CPU; build with -Pgpu and "
                        + "run with LETHE_DJL_OFFLINE=false (README, section \"Speed against PyTorch, and running on a GPU\")");
            }
            return Device.gpu(index);
        }
        throw new IllegalArgumentException("unknown device '" + name + "'; expected cpu, gpu, gpu:N or auto");
    }

    /** Runs every stage of the recipe. */
    public RunResult run() {
        Device device = device(recipe.device());
        Threads.apply();
        Engine.getInstance().setRandomSeed((int) Seeds.derive(recipe.seed(), "engine"));
        Dataset data = recipe.data().load(Seeds.derive(recipe.seed(), "data"));
        Tokenizer tokenizer = data.fitTokenizer();
        GptConfig config = recipe.model().vocabSize() == 0
                ? recipe.model().withVocabSize(tokenizer.vocabSize()) : recipe.model();
        Map<String, CausalLm> models = new LinkedHashMap<>();
        restored = checkpoints == null ? Checkpoints.Manifest.EMPTY : checkpoints.manifest();
        pendingMid = restored.mid();
        curveRows.clear();
        curveRows.addAll(restored.rows());
        try {
            models.put(LEARNED, train("learn", config, device, recipe.learn(), data, tokenizer,
                    Split.FORGET, Split.RETAIN, Split.WORLD));
            Training reference = recipe.reference();
            if (reference != null) {
                models.put(REFERENCE, train("reference", config, device, reference, data, tokenizer,
                        Split.RETAIN, Split.WORLD));
            }
            Unlearning unlearning = recipe.unlearn();
            if (unlearning != null) {
                models.put(UNLEARNED, unlearn(models.get(LEARNED), unlearning, data, tokenizer));
            }
            Map<String, Map<Split, Map<String, MetricValue>>> values = new LinkedHashMap<>();
            List<RunResult.Row> attackRows = new ArrayList<>();
            CausalLm unlearned = models.get(UNLEARNED);
            CausalLm referenceModel = models.get(REFERENCE);
            if (unlearned != null && !recipe.attacks().isEmpty()) {
                attack(unlearned, UNLEARNED, referenceModel, data, tokenizer, attackRows, values);
            }
            List<RunResult.Row> rows = evaluate(models, recipe.evaluate(), data, tokenizer, values);
            rows.addAll(attackRows);
            for (CrossModelMetrics.Derived d : CrossModelMetrics.compute(values)) {
                rows.add(RunResult.Row.of(d.model(), d.split(), d.metric(), d.value()));
            }
            rows.addAll(curveRows);
            return new RunResult(recipe, rows, log, perExample(values), metrics());
        } finally {
            models.values().forEach(CausalLm::close);
        }
    }

    /** The metrics of the recipe's suites, the cross-model ones and {@code kl_to_reference}, by name. */
    private Map<String, Metric> metrics() {
        List<Metric> all = new ArrayList<>(recipe.evaluate().metrics());
        all.addAll(CrossModelMetrics.METRICS);
        all.add(ReferenceKl.KL_TO_REFERENCE);
        return Metric.byName(all);
    }

    private CausalLm train(String stage, GptConfig config, Device device, Training training, Dataset data,
            Tokenizer tokenizer, Split... splits) {
        String file = stage + ".safetensors";
        boolean learn = stage.equals("learn");
        String done = learn ? restored.learned() : restored.reference();
        if (done != null && checkpoints != null) {
            replayFinished(stage, training.steps());
            return checkpoints.loadModel(done, config, device);
        }
        CausalLm model = trainOrReuse(stage, config, device, training, data, tokenizer, splits);
        if (checkpoints != null) {
            emit(checkpoints.stageDone(lastFinished(stage), file, model, curveRows,
                    m -> learn ? m.withLearned(file) : m.withReference(file)));
        }
        return model;
    }

    private CausalLm trainOrReuse(String stage, GptConfig config, Device device, Training training, Dataset data,
            Tokenizer tokenizer, Split... splits) {
        String key = ModelCache.key(String.join("|", dev.lethe.Lethe.VERSION, "qa+passages", stage, config.toString(), recipe.data().toString(),
                training.toString(), Long.toString(recipe.seed()), java.util.Arrays.toString(splits)));
        if (cache != null) {
            Optional<CausalLm> hit = cache.load(key, config, device);
            if (hit.isPresent()) {
                emit(new RunEvent.StageStarted(stage, training.steps()));
                emit(new RunEvent.StageFinished(stage, 0, training.steps(), "", true));
                return hit.get();
            }
        }
        CausalLm model = CausalLm.initialize(config, Seeds.derive(recipe.seed(), stage + ".init"), device);
        Map<Split, BatchStream> streams = proportionalStreams(stage, data, tokenizer, training.batchSize(),
                config.contextLength(), splits);
        boolean completed = optimize(stage, model, training.optimizer(), new Nll(List.of(splits)), streams,
                tokenizer, training.steps(), () -> {
                    throw new IllegalStateException("training from scratch has no reference model");
                }, null);
        if (cache != null && completed) {
            cache.store(key, model);
        }
        return model;
    }

    private CausalLm unlearn(CausalLm learned, Unlearning unlearning, Dataset data, Tokenizer tokenizer) {
        CausalLm model = learned.copy();
        int requests = unlearning.requests();
        int first = restoreUnlearned(model, requests, unlearning.steps());
        if (restored.unlearnDone()) {
            return model;
        }
        List<List<QaExample>> chunks = requests(data.get(Split.FORGET), requests);
        CausalLm[] reference = new CausalLm[1];
        try {
            for (int r = first; r < requests; r++) {
                String stage = requestStage(r, requests);
                Map<Split, BatchStream> streams = new EnumMap<>(Split.class);
                for (Split s : Split.values()) {
                    List<QaExample> qa = s == Split.FORGET ? chunks.get(r) : data.get(s);
                    List<Encoded> texts = new ArrayList<>();
                    if (unlearning.trainOn().answers()) {
                        texts.addAll(Encoded.all(tokenizer, qa));
                    }
                    if (unlearning.trainOn().passages()) {
                        List<Passage> passages = s == Split.FORGET
                                ? requestPassages(data.passages(Split.FORGET), chunks, r) : data.passages(s);
                        texts.addAll(passageExamples(tokenizer, passages, model.config().contextLength()));
                    }
                    if (!texts.isEmpty()) {
                        streams.put(s, new BatchStream(texts, unlearning.batchSize(),
                                Seeds.derive(recipe.seed(), stage + "." + s.id())));
                    }
                }
                Evaluation.Continual continual = recipe.evaluate().continual();
                boolean[] completed = {true};
                // with adapters, each request trains fresh adapters on the current model and merges them back
                Adapters.train(model, unlearning.adapters(), data, tokenizer, unlearning.batchSize(),
                        Seeds.derive(recipe.seed(), r == 0 ? "unlearn.adapters" : stage + ".adapters"),
                        trained -> completed[0] = optimize(stage, trained, unlearning.optimizer(),
                                unlearning.objective(), streams, tokenizer, unlearning.steps(),
                                () -> {
                                    if (reference[0] == null) {
                                        reference[0] = learned.frozenCopy();
                                    }
                                    return reference[0];
                                }, probe(UNLEARNED, stage, trained, data, tokenizer), unlearning.divergeAbove(),
                                unlearning.precision()));
                if (requests > 1 && continual == null) {
                    Evaluation e = recipe.evaluate();
                    for (Split split : e.splits()) {
                        evaluateSplit(UNLEARNED, stage, lastStep(stage), model, e, split, data, tokenizer, curveRows,
                                null);
                    }
                }
                if (checkpoints != null) {
                    String file = "unlearned-" + (r + 1) + ".safetensors";
                    int requestsDone = r + 1;
                    boolean over = !completed[0] || requestsDone == requests;
                    emit(checkpoints.stageDone(lastFinished(stage), file, model, curveRows,
                            m -> m.withUnlearned(requestsDone, file, over)));
                }
                if (!completed[0]) {
                    break;
                }
            }
        } finally {
            if (reference[0] != null) {
                reference[0].close();
            }
        }
        return model;
    }

    private static String requestStage(int r, int requests) {
        return requests == 1 ? "unlearn" : "unlearn.request" + (r + 1);
    }

    /**
     * Sets {@code model} to the unlearned model of the checkpoints, if they hold one, and replays the events
     * of the requests it went through; returns how many requests are done.
     */
    private int restoreUnlearned(CausalLm model, int requests, long steps) {
        String file = restored.unlearned();
        if (file == null || checkpoints == null) {
            return 0;
        }
        try (CausalLm saved = checkpoints.loadModel(file, model.config(), model.device())) {
            model.weights().assign(saved.weights().asMap(), file);
        }
        for (int r = 0; r < restored.requestsDone(); r++) {
            replayFinished(requestStage(r, requests), steps);
        }
        return restored.requestsDone();
    }

    /** Emits the start and the recorded end of a stage that the checkpoints hold as finished. */
    private void replayFinished(String stage, long steps) {
        RunEvent.StageFinished f = restored.finished(stage);
        if (f == null) {
            throw new IllegalStateException("the checkpoints hold the model of stage " + stage + " but not its end");
        }
        emit(new RunEvent.StageStarted(stage, steps));
        emit(new RunEvent.StageFinished(f.stage(), f.seconds(), f.stepsDone(), f.stopReason(), true));
    }

    /** The event that ended the last run of {@code stage}. */
    private RunEvent.StageFinished lastFinished(String stage) {
        for (int i = log.size() - 1; i >= 0; i--) {
            if (log.get(i) instanceof RunEvent.StageFinished f && f.stage().equals(stage)) {
                return f;
            }
        }
        throw new IllegalStateException("stage " + stage + " has not finished");
    }

    /**
     * The forget passages of request {@code r}: those about the people request {@code r}'s questions are about
     * and no earlier request's; all of them when there is one request.
     *
     * @throws IllegalArgumentException when, with several requests, a passage is about nobody any request asks about
     */
    static List<Passage> requestPassages(List<Passage> passages, List<List<QaExample>> chunks, int r) {
        if (chunks.size() == 1) {
            return passages;
        }
        Map<String, Integer> firstRequest = new LinkedHashMap<>();
        for (int i = 0; i < chunks.size(); i++) {
            for (QaExample e : chunks.get(i)) {
                firstRequest.putIfAbsent(e.subject(), i);
            }
        }
        List<Passage> out = new ArrayList<>();
        for (Passage p : passages) {
            Integer request = firstRequest.get(p.subject());
            if (request == null) {
                throw new IllegalArgumentException("cannot give the forget passage about '" + p.subject() + "' to one of "
                        + chunks.size() + " unlearning requests: no forget question is about that subject");
            }
            if (request == r) {
                out.add(p);
            }
        }
        return out;
    }

    /**
     * {@code forget} cut into {@code k} disjoint contiguous chunks in order, the first {@code size % k} one
     * example longer than the others.
     */
    static List<List<QaExample>> requests(List<QaExample> forget, int k) {
        if (k > 1 && k > forget.size()) {
            throw new IllegalArgumentException("cannot cut a forget split of " + forget.size() + " examples into "
                    + k + " unlearning requests");
        }
        List<List<QaExample>> out = new ArrayList<>(k);
        int from = 0;
        for (int i = 0; i < k; i++) {
            int size = forget.size() / k + (i < forget.size() % k ? 1 : 0);
            out.add(List.copyOf(forget.subList(from, from + size)));
            from += size;
        }
        return out;
    }

    /** The number of steps the last finished run of {@code stage} did, from the event log. */
    private long lastStep(String stage) {
        return lastFinished(stage).stepsDone();
    }

    /**
     * The continual evaluation of {@code model} (called {@code name}) during {@code stage}, or null when the
     * recipe has none.
     */
    private @Nullable Probe probe(String name, String stage, CausalLm model, Dataset data, Tokenizer tokenizer) {
        Evaluation.Continual continual = recipe.evaluate().continual();
        if (continual == null) {
            return null;
        }
        Evaluation e = new Evaluation(continual.suites(), continual.splits());
        return new Probe(continual.every(), step -> {
            for (Split split : e.splits()) {
                evaluateSplit(name, stage, step, model, e, split, data, tokenizer, curveRows, null);
            }
        });
    }

    /** Measures a model after {@code step} steps, every {@code every} steps. */
    private record Probe(long every, java.util.function.LongConsumer measure) {
        /**
         * Measures after {@code step} steps: called between steps (outside their scope and gradient
         * collector), in a scope of its own that frees every array the suites leave behind.
         */
        void at(long step) {
            try (NDScope scope = new NDScope()) {
                measure.accept(step);
            }
        }
    }

    /** KL to the reference on the forget and retain splits, as rows. */
    private List<RunResult.Row> klRows(String name, String stage, CausalLm reference, CausalLm model, Dataset data,
            Tokenizer tokenizer) {
        List<RunResult.Row> out = new ArrayList<>();
        for (Split split : List.of(Split.FORGET, Split.RETAIN)) {
            List<QaExample> examples = data.get(split);
            if (!examples.isEmpty()) {
                out.add(new RunResult.Row(name, stage, split.id(), KL,
                        ReferenceKl.meanKl(reference, model, tokenizer, examples, KL_BATCH), 0));
            }
        }
        return out;
    }

    /** The per-example values the suites kept, for plots (ROC curves). */
    private static List<RunResult.Scores> perExample(Map<String, Map<Split, Map<String, MetricValue>>> values) {
        List<RunResult.Scores> out = new ArrayList<>();
        values.forEach((model, bySplit) -> bySplit.forEach((split, byMetric) -> byMetric.forEach((metric, v) -> {
            if (v.perExample().length > 0) {
                out.add(new RunResult.Scores(model, split.id(), metric, v.perExample().clone()));
            }
        })));
        return out;
    }

    /** Attacks {@code target} with each of the recipe's attacks and evaluates every attacked model. */
    private void attack(CausalLm target, String targetName, @Nullable CausalLm reference, Dataset data,
            Tokenizer tokenizer, List<RunResult.Row> rows, Map<String, Map<Split, Map<String, MetricValue>>> values) {
        List<Attack> attacks = recipe.attacks();
        emit(new RunEvent.StageStarted("attack", attacks.size()));
        long start = System.nanoTime();
        long done = 0;
        for (Attack a : attacks) {
            String attackedName = a.modelName(targetName);
            AttackContext context = new AttackContext(data, tokenizer, Seeds.derive(recipe.seed(), "attack." + a.name()),
                    (stage, model, examples, batchSize, steps, optimizer) -> {
                        Map<Split, BatchStream> streams = new EnumMap<>(Split.class);
                        streams.put(Split.FORGET, stream(stage + ".forget", examples, tokenizer, batchSize));
                        return optimize(stage, model, optimizer, new Nll(Split.FORGET), streams, tokenizer, steps,
                                () -> {
                                    throw new IllegalStateException("fine-tuning has no reference model");
                                }, probe(attackedName, stage, model, data, tokenizer));
                    });
            try (Attacked attacked = a.apply(target, context)) {
                Evaluation e = recipe.evaluate();
                for (Split split : e.splits()) {
                    evaluateSplit(attackedName, RunResult.ATTACK, 0, attacked.model(), e, split, attacked.data(),
                            tokenizer, rows, values);
                }
                if (reference != null) {
                    rows.addAll(klRows(attackedName, RunResult.ATTACK, reference, attacked.model(), attacked.data(),
                            tokenizer));
                }
            }
            done++;
            emit(new RunEvent.Progress("attack", done, attacks.size(), Double.NaN,
                    done / Math.max((System.nanoTime() - start) / 1e9, 1e-9)));
        }
        emit(new RunEvent.StageFinished("attack", (System.nanoTime() - start) / 1e9, done, "", false));
    }

    /** Runs the optimisation loop; returns false when a numeric guard stopped it. */
    private boolean optimize(String stage, CausalLm model, Optimizer optimizer, Objective objective,
            Map<Split, BatchStream> streams, Tokenizer tokenizer, long steps, Supplier<CausalLm> reference,
            @Nullable Probe probe) {
        return optimize(stage, model, optimizer, objective, streams, tokenizer, steps, reference, probe,
                Double.POSITIVE_INFINITY, Precision.FLOAT32);
    }

    /**
     * Runs the optimisation loop, refusing any step whose |loss| is above {@code divergeAbove}, with the loss
     * evaluated in {@code precision} ({@link MixedPrecision}).
     */
    private boolean optimize(String stage, CausalLm model, Optimizer optimizer, Objective objective,
            Map<Split, BatchStream> streams, Tokenizer tokenizer, long steps, Supplier<CausalLm> reference,
            @Nullable Probe probe, double divergeAbove, Precision precision) {
        emit(new RunEvent.StageStarted(stage, steps));
        long start = System.nanoTime();
        String stop = "";
        long done = 0;
        // a relearning attack is repeated whole on resume: its steps are not checkpointed
        boolean checkpointed = checkpoints != null && !stage.startsWith(RunResult.ATTACK);
        Checkpoints.Mid mid = pendingMid != null && pendingMid.stage().equals(stage) ? pendingMid : null;
        if (probe != null && mid == null) {
            probe.at(0);
        }
        try (Optimizer.State state = optimizer.init(model.weights(), model.manager());
                MixedPrecision evaluations = MixedPrecision.of(precision, model)) {
            if (mid != null) {
                done = restoreMid(mid, model, state, objective, streams);
                pendingMid = null;
            }
            long first = done;
            for (long s = first; s < steps; s++) {
                Optimizer.Outcome outcome;
                if (model.config().dropout() > 0) {
                    // dropout draws from the engine's generator: seeded per step, so a resumed stage draws the same
                    Engine.getInstance().setRandomSeed((int) Seeds.derive(recipe.seed(), stage + ".dropout", s));
                }
                try (NDScope scope = new NDScope()) {
                    LossOracle ctx = evaluations.oracle(s, steps, reference, streams, tokenizer, objective);
                    outcome = optimizer.step(ctx, model.weights(), state, s, steps,
                            Seeds.derive(recipe.seed(), stage + ".step", s), divergeAbove);
                }
                if (!outcome.applied()) {
                    stop = outcome.problem() + " at step " + (s + 1) + "; the weights are those after step " + s;
                    break;
                }
                done = s + 1;
                if (probe != null && done % probe.every() == 0) {
                    probe.at(done);
                }
                double seconds = (System.nanoTime() - start) / 1e9;
                emit(new RunEvent.Progress(stage, done, steps, outcome.loss(), (done - first) / Math.max(seconds, 1e-9)));
                if (checkpointed && checkpoints.due(done, steps)) {
                    Map<String, Long> draws = new LinkedHashMap<>();
                    streams.forEach((split, stream) -> draws.put(split.id(), stream.draws()));
                    emit(checkpoints.midStage(stage, done, model.weights().asMap(), state.arrays(), draws,
                            objective.state(), curveRows));
                }
            }
        }
        if (probe != null && done % probe.every() != 0) {
            probe.at(done);
        }
        emit(new RunEvent.StageFinished(stage, (System.nanoTime() - start) / 1e9, done, stop, false));
        return stop.isEmpty();
    }

    /**
     * Sets the trained weights, the optimizer state, the objective's state and the data streams to those of
     * {@code mid}; returns the steps it had done.
     */
    private long restoreMid(Checkpoints.Mid mid, CausalLm model, Optimizer.State state, Objective objective,
            Map<Split, BatchStream> streams) {
        try (NDManager scratch = model.manager().newSubManager()) {
            Map<String, NDArray> arrays = Objects.requireNonNull(checkpoints).readArrays(mid.file(), scratch);
            Map<String, NDArray> weights = new LinkedHashMap<>();
            Map<String, NDArray> optimizerState = new LinkedHashMap<>();
            arrays.forEach((name, a) -> (name.startsWith("w/") ? weights : optimizerState).put(name.substring(2), a));
            model.weights().assign(weights, mid.file());
            state.restore(optimizerState);
        }
        objective.restore(mid.objectiveState());
        for (Map.Entry<Split, BatchStream> e : streams.entrySet()) {
            e.getValue().skip(mid.draws().getOrDefault(e.getKey().id(), 0L));
        }
        return mid.stepsDone();
    }

    private List<RunResult.Row> evaluate(Map<String, CausalLm> models, Evaluation evaluation, Dataset data,
            Tokenizer tokenizer, Map<String, Map<Split, Map<String, MetricValue>>> values) {
        long total = (long) models.size() * evaluation.splits().size();
        emit(new RunEvent.StageStarted("evaluate", total));
        long start = System.nanoTime();
        List<RunResult.Row> rows = new ArrayList<>();
        long done = 0;
        for (Map.Entry<String, CausalLm> m : models.entrySet()) {
            for (Split split : evaluation.splits()) {
                evaluateSplit(m.getKey(), RunResult.EVALUATE, 0, m.getValue(), evaluation, split, data, tokenizer, rows,
                        values);
                done++;
                emit(new RunEvent.Progress("evaluate", done, total, Double.NaN,
                        done / Math.max((System.nanoTime() - start) / 1e9, 1e-9)));
            }
            CausalLm reference = models.get(REFERENCE);
            if (reference != null && !m.getKey().equals(REFERENCE)) {
                rows.addAll(klRows(m.getKey(), RunResult.EVALUATE, reference, m.getValue(), data, tokenizer));
            }
        }
        emit(new RunEvent.StageFinished("evaluate", (System.nanoTime() - start) / 1e9, done, "", false));
        return rows;
    }

    /**
     * Every suite of {@code evaluation} on {@code split} of {@code model}, as rows of {@code stage} after
     * {@code step} steps; also kept in {@code values} (for the cross-model metrics) unless that is null.
     */
    private void evaluateSplit(String name, String stage, long step, CausalLm model, Evaluation evaluation,
            Split split, Dataset data, Tokenizer tokenizer, List<RunResult.Row> rows,
            @Nullable Map<String, Map<Split, Map<String, MetricValue>>> values) {
        for (Suite suite : evaluation.suites()) {
            for (MetricValue v : suite.evaluate(model, tokenizer, data.view(split))) {
                rows.add(new RunResult.Row(name, stage, split.id(), v.name(), v.value(), step));
                if (values != null) {
                    values.computeIfAbsent(name, k -> new EnumMap<>(Split.class))
                            .computeIfAbsent(split, k -> new LinkedHashMap<>()).put(v.name(), v);
                }
            }
        }
    }

    /**
     * One stream per split whose batch sizes are proportional to the split sizes (at least 1 each). A training
     * stream holds the split's question-answer examples and its passages, each passage as an answer without a
     * prompt (cut to the context length): the learned model has read the passages it is later asked to
     * continue (MUSE's VerbMem), and the reference has read those of the retain split only.
     */
    private Map<Split, BatchStream> proportionalStreams(String stage, Dataset data, Tokenizer tokenizer,
            int batchSize, int contextLength, Split... splits) {
        Map<Split, List<Encoded>> encoded = new EnumMap<>(Split.class);
        long total = 0;
        for (Split s : splits) {
            List<Encoded> examples = Encoded.all(tokenizer, data.get(s));
            examples.addAll(passageExamples(tokenizer, data.passages(s), contextLength));
            encoded.put(s, examples);
            total += examples.size();
        }
        Map<Split, BatchStream> streams = new EnumMap<>(Split.class);
        for (Split s : splits) {
            List<Encoded> examples = encoded.get(s);
            if (examples.isEmpty()) {
                continue;
            }
            int size = (int) Math.max(1, Math.round((double) batchSize * examples.size() / total));
            streams.put(s, new BatchStream(examples, size, Seeds.derive(recipe.seed(), stage + "." + s.id())));
        }
        return streams;
    }


    /** Each passage as an answer without a prompt, cut to fit the context with its first token as input. */
    private static List<Encoded> passageExamples(Tokenizer tokenizer, List<Passage> passages, int contextLength) {
        List<Encoded> out = new ArrayList<>(passages.size());
        for (Passage p : passages) {
            int[] tokens = tokenizer.encode(p.text());
            out.add(new Encoded(new int[0], Arrays.copyOf(tokens, Math.min(tokens.length, contextLength - 1))));
        }
        return out;
    }

    private BatchStream stream(String label, List<QaExample> examples, Tokenizer tokenizer, int batchSize) {
        return new BatchStream(Encoded.all(tokenizer, examples), batchSize, Seeds.derive(recipe.seed(), label));
    }

    private void emit(RunEvent event) {
        log.add(event);
        for (RunListener l : listeners) {
            l.onEvent(event);
        }
    }
}
