package dev.lethe.run;

import dev.lethe.attack.AttackContext;
import dev.lethe.data.BatchStream;
import dev.lethe.data.Split;
import dev.lethe.model.CausalLm;
import dev.lethe.objective.Nll;
import dev.lethe.result.RunEvent;
import dev.lethe.spec.NamedStage;
import dev.lethe.spec.Relearning;
import java.util.Map;
import java.util.Objects;

/**
 * The {@code relearn} stage: a copy of the current model is fine-tuned on forget examples exactly as the
 * relearning attack does it (its examples drawn with the stage's seed), through the checkpointed training loop,
 * and becomes the current model.
 */
final class RelearnStage {
    private RelearnStage() {}

    static void run(NamedStage named, Relearning relearning, RunContext run) {
        String unit = named.name();
        String modelName = Objects.requireNonNull(named.model());
        CausalLm model = run.finishedModel(named, relearning.steps());
        if (model == null) {
            model = run.current().copy();
            if (relearning.steps() == 0) {
                run.emit(new RunEvent.StageStarted(unit, 0));
                run.emit(new RunEvent.StageFinished(unit, 0, 0, "", false));
            }
            relearning.attack().attackWeights(model, new AttackContext(run.data(), run.tokenizer(),
                    Seeds.derive(run.seed(), unit), (trained, examples, batchSize, steps, optimizer) -> {
                        Map<Split, BatchStream> streams = Map.of(Split.FORGET,
                                Streams.of(unit + ".forget", run.seed(), examples, run.tokenizer(), batchSize,
                                        trained.spec().contextLength()));
                        return new TrainingLoop(run).run(TrainingLoop.Loop.of(unit, trained, optimizer,
                                new Nll(Split.FORGET), streams, steps)
                                .withProbe(Probe.of(run, modelName, unit, trained, relearning.continual())));
                    }));
            run.unitDone(unit, modelName, model);
        }
        run.add(named, model);
    }
}
