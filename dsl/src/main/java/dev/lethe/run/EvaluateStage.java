package dev.lethe.run;

import dev.lethe.data.Split;
import dev.lethe.model.CausalLm;
import dev.lethe.result.RunEvent;
import dev.lethe.result.RunResult;
import dev.lethe.spec.Evaluation;
import dev.lethe.spec.NamedStage;
import java.util.Map;

/**
 * The {@code evaluate} stage: every suite on every split of each model made since the last evaluation, in the
 * order made, then (with a reference model) its {@code kl_to_reference}; the rows carry the stage
 * {@value RunResult#EVALUATE}. Before any stage has made or replaced the current model, the recipe's own model
 * ({@code initial}: a model folder's weights, or the spec newly initialised) is made and measured too, so that
 * {@code stages: [evaluate]} on {@code model: {hf: DIR}} evaluates the folder (a saved model read back).
 */
final class EvaluateStage {
    private EvaluateStage() {}

    static void run(NamedStage named, Evaluation evaluation, RunContext run) {
        run.currentName(); // the recipe's model, when no stage made the current one yet
        Map<String, CausalLm> models = run.unevaluated();
        long total = (long) models.size() * evaluation.splits().size();
        String stage = named.name();
        run.emit(new RunEvent.StageStarted(stage, total));
        long start = System.nanoTime();
        long done = 0;
        for (Map.Entry<String, CausalLm> m : models.entrySet()) {
            for (Split split : evaluation.splits()) {
                run.measure(m.getKey(), RunResult.EVALUATE, 0, m.getValue(), evaluation, split, run.data(),
                        run.evaluateRows(), true);
                done++;
                run.emit(new RunEvent.Progress(stage, done, total, Double.NaN,
                        done / Math.max((System.nanoTime() - start) / 1e9, 1e-9)));
            }
            run.evaluateRows().addAll(run.klRows(m.getKey(), RunResult.EVALUATE, m.getValue(), run.data()));
        }
        run.emit(new RunEvent.StageFinished(stage, (System.nanoTime() - start) / 1e9, done, "", false));
    }
}
