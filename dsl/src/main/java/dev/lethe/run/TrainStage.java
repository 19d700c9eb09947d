package dev.lethe.run;

import dev.lethe.data.BatchStream;
import dev.lethe.data.Split;
import dev.lethe.data.Texts;
import dev.lethe.model.CausalLm;
import dev.lethe.objective.Nll;
import dev.lethe.result.RunEvent;
import dev.lethe.spec.Continual;
import dev.lethe.spec.Finetune;
import dev.lethe.spec.Learn;
import dev.lethe.spec.NamedStage;
import dev.lethe.spec.Reference;
import dev.lethe.spec.Training;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * The {@code learn}, {@code finetune} and {@code reference} stages: next-token NLL on the union of the stage's
 * splits, from a newly initialised model (learn; reference from scratch) or from a copy of an earlier model
 * (finetune: the current one; reference: the one it names). When the runner has a {@link ModelCache}, the
 * trained model is kept there under its {@link CacheKey} and a later run of the same training loads it. A
 * finished stage's model is checkpointed and, on resume, loaded instead of trained.
 */
final class TrainStage {
    private TrainStage() {}

    /** What the three kinds have in common. */
    private record Plan(Training training, List<Split> splits, Texts texts, @Nullable Continual continual,
            @Nullable String from) {}

    static void learn(NamedStage named, Learn stage, RunContext run) {
        train(named, new Plan(stage.training(), stage.splits(), stage.texts(), stage.continual(), null), run);
    }

    static void finetune(NamedStage named, Finetune stage, RunContext run) {
        train(named, new Plan(stage.training(), stage.splits(), stage.texts(), stage.continual(), run.currentName()),
                run);
    }

    static void reference(NamedStage named, Reference stage, RunContext run) {
        String from = stage.from().equals(Reference.SCRATCH) ? null : stage.from();
        train(named, new Plan(stage.training(), stage.splits(), stage.texts(), stage.continual(), from), run);
    }

    private static void train(NamedStage named, Plan plan, RunContext run) {
        String unit = named.name();
        String modelName = Objects.requireNonNull(named.model());
        CausalLm model = run.finishedModel(named, plan.training().steps());
        if (model == null) {
            model = trainOrLoad(named, modelName, plan, run);
            run.unitDone(unit, modelName, model);
        }
        run.add(named, model);
    }

    /**
     * The model {@code plan} trains (from a newly initialised one, or from a copy of {@code plan.from()}), or the
     * cached result of the same training ({@link CacheKey}). A stage evaluated continually is always trained:
     * its curve is part of the result, and the cache keeps only weights.
     */
    private static CausalLm trainOrLoad(NamedStage named, String modelName, Plan plan, RunContext run) {
        String unit = named.name();
        CausalLm from = plan.from() == null ? null : run.model(plan.from());
        ModelCache cache = plan.continual() == null ? run.cache() : null;
        String key = cache == null ? null : CacheKey.of(unit, named.stage(), plan.splits(), plan.texts(), from, run);
        if (cache != null && key != null) {
            Optional<CausalLm> hit = cache.load(key, run.config(), run.device());
            if (hit.isPresent()) {
                run.emit(new RunEvent.StageStarted(unit, plan.training().steps()));
                run.emit(new RunEvent.StageFinished(unit, 0, plan.training().steps(), "", true));
                return hit.get();
            }
        }
        CausalLm model = from == null
                ? CausalLm.initialize(run.config(), Seeds.derive(run.seed(), unit + ".init"), run.device())
                : from.copy();
        boolean completed = optimize(unit, modelName, model, plan, run);
        if (cache != null && key != null && completed) {
            cache.store(key, model);
        }
        return model;
    }

    private static boolean optimize(String unit, String modelName, CausalLm model, Plan plan, RunContext run) {
        Map<Split, BatchStream> streams = Streams.proportional(unit, run.seed(), run.data(), run.tokenizer(),
                plan.training().batchSize(), Streams.maxLength(plan.training().maxLength(), model.spec().contextLength()),
                plan.texts(), plan.splits());
        return new TrainingLoop(run).run(TrainingLoop.Loop.of(unit, model, plan.training().optimizer(),
                new Nll(plan.splits()), streams, plan.training().steps())
                .withProbe(Probe.of(run, modelName, unit, model, plan.continual()))
                .withAccumulation(plan.training().accumulate()));
    }
}
