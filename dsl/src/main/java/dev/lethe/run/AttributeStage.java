package dev.lethe.run;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import dev.lethe.data.Batch;
import dev.lethe.data.BatchStream;
import dev.lethe.data.Dataset;
import dev.lethe.data.Encoded;
import dev.lethe.data.Passage;
import dev.lethe.data.QaExample;
import dev.lethe.data.Split;
import dev.lethe.eval.Metric;
import dev.lethe.model.CausalLm;
import dev.lethe.objective.Nll;
import dev.lethe.result.RunEvent;
import dev.lethe.result.RunResult;
import dev.lethe.spec.Attribution;
import dev.lethe.spec.NamedStage;
import dev.lethe.spec.Reference;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SplittableRandom;
import org.jspecify.annotations.Nullable;

/**
 * The {@code attribute} stage ({@link Attribution}; Georgiev et al. 2024, "Attribute-to-Delete", §3): draws which
 * forget examples each of N subset models keeps, trains the subset models one after the other, and adds each one's
 * logits on the target examples, times its regression weight ({@link Datamodel#forgetWeights}), to the running
 * Σ_{i∈F} β; the result is what the run's later unlearning stages read ({@link AttributedShifts}). With a model
 * cache the result is kept under a content hash ({@link CacheKey} of the stage, plus the target examples) and
 * reused. With a reference model in the run, the "DM-direct" prediction f_θ₀ − Σ_{i∈F} β is compared with it
 * ({@link #DM_DIRECT_KL}).
 */
final class AttributeStage {
    /**
     * The mean per-token KL(π_reference ‖ softmax(f_θ₀ − Σ_{i∈F} β)) on a target split's answers: how close the
     * datamodel's prediction of the retrained model, served directly ("DM-direct", Georgiev et al. 2024, §3), is to
     * the reference; reported for the model the stage predicted from, next to its own {@code kl_to_reference}.
     */
    static final Metric DM_DIRECT_KL = new Metric("dm_direct_kl_to_reference", Metric.Direction.HIGHER_IS_WORSE,
            Metric.Scope.PER_SPLIT, "mean per-token KL from the reference of the datamodel's prediction "
                    + "f - sum of the forget examples' effects (DM-direct)");
    private static final int BATCH = 32;

    private AttributeStage() {}

    static void run(NamedStage named, Attribution stage, RunContext run) {
        String unit = named.name();
        CausalLm start = run.current();
        Map<Split, List<Encoded>> targets = targets(unit, stage, run, start);
        ModelCache cache = run.cache();
        CausalLm from = stage.from().equals(Reference.SCRATCH) ? null : run.model(stage.from());
        String key = cache == null ? null : key(unit, stage, from, targets, run);
        Path file = key == null ? null : cache.dir().resolve(key + ".shifts");
        Optional<AttributedShifts> hit = file == null ? Optional.empty() : AttributedShifts.read(file);
        AttributedShifts shifts;
        if (hit.isPresent()) {
            run.emit(new RunEvent.StageStarted(unit, stage.models()));
            run.emit(new RunEvent.StageFinished(unit, 0, stage.models(), "", true));
            shifts = hit.get();
        } else {
            long begin = System.nanoTime();
            run.emit(new RunEvent.StageStarted(unit, stage.models()));
            shifts = fit(unit, stage, run, from, targets);
            run.emit(new RunEvent.StageFinished(unit, (System.nanoTime() - begin) / 1e9, stage.models(), "", false));
            if (file != null) {
                try {
                    shifts.write(file);
                } catch (RuntimeException e) {
                    System.err.println("lethe: warning: cannot keep the attribution in the cache (" + e.getMessage()
                            + "); the run goes on without it");
                }
            }
        }
        run.attributed(shifts);
        dmDirect(run, start, shifts, targets);
    }

    /**
     * The forget examples each subset model keeps: row n, column i is whether model n trains on forget example i,
     * each kept with probability {@code fraction} ({@link Attribution.Subsets#FIXED}) or with model n's graded
     * probability ({@link #inclusion}), from the stream {@code <unit>.subsets} of the recipe's seed.
     */
    static boolean[][] draw(String unit, long seed, int models, int examples, double fraction,
            Attribution.Subsets subsets) {
        SplittableRandom random = new SplittableRandom(Seeds.derive(seed, unit + ".subsets"));
        boolean[][] keep = new boolean[models][examples];
        for (int n = 0; n < models; n++) {
            double p = subsets == Attribution.Subsets.FIXED ? fraction : inclusion(n, models, fraction);
            for (int i = 0; i < examples; i++) {
                keep[n][i] = random.nextDouble() < p;
            }
        }
        return keep;
    }

    /** Model n of N's graded inclusion probability, with mean {@code fraction} over the models (graded subsets). */
    static double inclusion(int n, int models, double fraction) {
        double u = (n + 0.5) / models;
        return fraction <= 0.5 ? 2 * fraction * u : 1 - 2 * (1 - fraction) * (1 - u);
    }

    /** Trains the subset models and sums their weighted outputs. */
    private static AttributedShifts fit(String unit, Attribution stage, RunContext run, @Nullable CausalLm from,
            Map<Split, List<Encoded>> targets) {
        List<QaExample> forget = run.data().get(Split.FORGET);
        boolean[][] keep = draw(unit, run.seed(), stage.models(), forget.size(), stage.fraction(), stage.subsets());
        double[][] x = new double[keep.length][forget.size()];
        for (int n = 0; n < keep.length; n++) {
            for (int i = 0; i < forget.size(); i++) {
                x[n][i] = keep[n][i] ? 1 : 0;
            }
        }
        boolean[] all = new boolean[forget.size()];
        Arrays.fill(all, true);
        double[] w = Datamodel.forgetWeights(x, all, stage.ridge());
        int vocabulary = run.config().vocabSize();
        Map<String, float[]> sums = new LinkedHashMap<>();
        for (int n = 0; n < keep.length; n++) {
            // issue 19: a sweep executor can train these N models elsewhere; each needs only (n, keep[n])
            try (CausalLm model = subsetModel(unit + ".subset" + (n + 1), stage, run, from, forget, keep[n])) {
                addOutputs(model, targets, run, w[n], vocabulary, sums);
            }
        }
        return new AttributedShifts(vocabulary, sums);
    }

    /** Subset model {@code name}: the stage's training on its splits with only the kept forget examples. */
    private static CausalLm subsetModel(String name, Attribution stage, RunContext run, @Nullable CausalLm from,
            List<QaExample> forget, boolean[] keep) {
        Dataset data = run.data();
        List<QaExample> kept = new ArrayList<>();
        Set<String> subjects = new HashSet<>();
        for (int i = 0; i < forget.size(); i++) {
            if (keep[i]) {
                kept.add(forget.get(i));
                subjects.add(forget.get(i).subject());
            }
        }
        Map<Split, List<QaExample>> examples = new EnumMap<>(Split.class);
        Map<Split, List<Passage>> passages = new EnumMap<>(Split.class);
        Map<Split, List<dev.lethe.data.MultipleChoice>> choices = new EnumMap<>(Split.class);
        for (Split s : Split.values()) {
            examples.put(s, s == Split.FORGET ? kept : data.get(s));
            passages.put(s, s == Split.FORGET ? data.passages(s).stream().filter(p -> subjects.contains(p.subject()))
                    .toList() : data.passages(s));
            choices.put(s, data.choices(s));
        }
        Dataset subset = new Dataset(examples, passages, choices);
        CausalLm model = from == null
                ? CausalLm.initialize(run.config(), Seeds.derive(run.seed(), name + ".init"), run.device())
                : from.copy();
        Map<Split, BatchStream> streams = Streams.proportional(name, run.seed(), subset, run.tokenizer(),
                stage.training().batchSize(), Streams.maxLength(stage.training().maxLength(),
                        model.spec().contextLength()), stage.texts(), stage.splits());
        // a subset without forget examples has no forget stream: its NLL is over the splits it has
        List<Split> trained = stage.splits().stream().filter(streams::containsKey).toList();
        new TrainingLoop(run).run(TrainingLoop.Loop.of(name, model, stage.training().optimizer(),
                new Nll(trained), streams, stage.training().steps()).uncheckpointed()
                .withAccumulation(stage.training().accumulate()));
        return model;
    }

    /** The target examples, per split, encoded as an unlearning stage encodes them (cut to the context length). */
    private static Map<Split, List<Encoded>> targets(String unit, Attribution stage, RunContext run, CausalLm start) {
        Map<Split, List<Encoded>> out = new EnumMap<>(Split.class);
        for (Split s : stage.targets()) {
            out.put(s, Streams.answers(unit, s, run.tokenizer(), run.data().get(s), start.spec().contextLength()));
        }
        return out;
    }

    /** Adds {@code weight} times {@code model}'s logits at each target example's answer positions to {@code sums}. */
    private static void addOutputs(CausalLm model, Map<Split, List<Encoded>> targets, RunContext run, double weight,
            int vocabulary, Map<String, float[]> sums) {
        Set<String> seen = new HashSet<>();
        for (List<Encoded> examples : targets.values()) {
            for (int start = 0; start < examples.size(); start += BATCH) {
                List<Encoded> chunk = examples.subList(start, Math.min(examples.size(), start + BATCH));
                try (NDScope scope = new NDScope()) {
                    Batch batch = Batch.of(chunk, run.tokenizer(), model.manager());
                    float[] logits = model.forward(batch.inputs()).logits().toType(DataType.FLOAT32, false)
                            .toFloatArray();
                    float[] mask = batch.mask().toType(DataType.FLOAT32, false).toFloatArray();
                    int time = mask.length / chunk.size();
                    for (int b = 0; b < chunk.size(); b++) {
                        int positions = 0;
                        for (int t = 0; t < time; t++) {
                            positions += mask[b * time + t] > 0 ? 1 : 0;
                        }
                        String key = AttributedShifts.key(chunk.get(b));
                        if (!seen.add(key)) {
                            continue; // the same example twice: its outputs count once
                        }
                        float[] sum = sums.get(key);
                        if (sum == null) {
                            sum = new float[positions * vocabulary];
                            sums.put(key, sum);
                        }
                        int k = 0;
                        for (int t = 0; t < time; t++) {
                            if (mask[b * time + t] > 0) {
                                int from = (b * time + t) * vocabulary;
                                for (int v = 0; v < vocabulary; v++) {
                                    sum[k * vocabulary + v] += (float) (weight * logits[from + v]);
                                }
                                k++;
                            }
                        }
                    }
                }
            }
        }
    }

    /** The cache key: the stage's {@link CacheKey} and the content of the target examples. */
    private static @Nullable String key(String unit, Attribution stage, @Nullable CausalLm from,
            Map<Split, List<Encoded>> targets, RunContext run) {
        String training = CacheKey.of(unit, stage, stage.splits(), stage.texts(), from, run);
        if (training == null) {
            return null;
        }
        List<String> lines = new ArrayList<>(List.of("attribution " + training));
        targets.forEach((split, examples) -> lines.add(split.id() + " " + ContentHash.texts(
                examples.stream().map(AttributedShifts::key).toList())));
        return ContentHash.texts(lines);
    }

    /**
     * With a reference model: {@link #DM_DIRECT_KL} of the current model on each target split, as final rows of the
     * current model.
     */
    private static void dmDirect(RunContext run, CausalLm start, AttributedShifts shifts,
            Map<Split, List<Encoded>> targets) {
        CausalLm reference = run.reference();
        if (reference == null) {
            return;
        }
        for (Map.Entry<Split, List<Encoded>> e : targets.entrySet()) {
            List<Encoded> examples = e.getValue();
            double sum = 0;
            double tokens = 0;
            for (int i = 0; i < examples.size(); i += BATCH) {
                List<Encoded> chunk = examples.subList(i, Math.min(examples.size(), i + BATCH));
                try (NDScope scope = new NDScope()) {
                    Batch batch = Batch.of(chunk, run.tokenizer(), start.manager());
                    NDArray predicted = start.forward(batch.inputs()).logits()
                            .sub(shifts.of(batch, chunk, start.manager()));
                    NDArray refLog = reference.forward(batch.inputs()).logits().logSoftmax(-1);
                    NDArray kl = refLog.exp().mul(refLog.sub(predicted.logSoftmax(-1))).sum(new int[] {-1});
                    sum += kl.mul(batch.mask()).sum().toType(DataType.FLOAT64, false).getDouble();
                    tokens += batch.mask().sum().toType(DataType.FLOAT64, false).getDouble();
                }
            }
            if (tokens > 0) {
                run.evaluateRows().add(RunResult.Row.of(run.currentName(), e.getKey().id(), DM_DIRECT_KL.name(),
                        sum / tokens));
            }
        }
    }
}
