package dev.lethe.run;

import dev.lethe.adapter.GuardItFit;
import dev.lethe.data.QaExample;
import dev.lethe.data.Split;
import dev.lethe.model.CausalLm;
import dev.lethe.model.GatedSteering;
import dev.lethe.result.RunEvent;
import dev.lethe.spec.Evaluation;
import dev.lethe.spec.GuardIt;
import dev.lethe.spec.NamedStage;
import java.util.List;
import java.util.Objects;

/**
 * The {@code guard_it} stage: a copy of the current model (same weights, same steering) gets GUARD-IT's steering bank
 * extended request after request ({@link GuardItFit#append}), each request a unit of its own ({@code guard_it}, or
 * {@code guard_it.request<i>} with several) that is checkpointed when it ends, the bank in the model's file; a
 * resumed stage takes the bank of its last finished request and goes on with the next. Each request's KMeans seed
 * derives from the recipe's seed and the unit's name.
 */
final class GuardItStage {
    private GuardItStage() {}

    static void run(NamedStage named, GuardIt stage, RunContext run) {
        String modelName = Objects.requireNonNull(named.model());
        CausalLm model = run.current().copy();
        int requests = stage.requests();
        int first = restore(named, model, modelName, requests, run);
        List<List<QaExample>> chunks = Streams.requests(run.data().get(Split.FORGET), requests);
        List<QaExample> retain = run.data().get(Split.RETAIN);
        int layer = stage.layerIn(model.architecture().blocks());
        for (int r = first; r < requests; r++) {
            String unit = UnlearnStage.unit(named, r, requests);
            long start = System.nanoTime();
            run.emit(new RunEvent.StageStarted(unit, 0));
            GuardItFit.Fitted fitted = GuardItFit.append(model, run.tokenizer(), chunks.get(r), retain,
                    new GuardItFit.Settings(layer, stage.threshold(), stage.strength(), stage.maxClusters(),
                            stage.batchSize(), Seeds.derive(run.seed(), unit + ".kmeans")), model.steering());
            GatedSteering bank = fitted.bank();
            model.setSteering(bank);
            run.emit(new RunEvent.SteeringFitted(unit, layer, fitted.clusters().k(), fitted.clusters().silhouette(),
                    bank.entries().size(), bank.contentHash()));
            run.emit(new RunEvent.StageFinished(unit, (System.nanoTime() - start) / 1e9, 0, "", false));
            if (requests > 1) {
                Evaluation e = run.recipe().evaluationAfter(named.index());
                for (Split split : e.splits()) {
                    run.measure(modelName, unit, r + 1, model, e, split, run.data(), run.curves(), false);
                }
            }
            run.unitDone(unit, modelName, model);
        }
        run.add(named, model);
    }

    /** Sets {@code model}'s steering to the bank of the last request the checkpoints hold as finished; how many. */
    private static int restore(NamedStage named, CausalLm model, String modelName, int requests, RunContext run) {
        Checkpoints checkpoints = run.checkpoints();
        String file = run.restored().models().get(modelName);
        if (file == null || checkpoints == null) {
            return 0;
        }
        int done = 0;
        while (done < requests && run.restored().finished(UnlearnStage.unit(named, done, requests)) != null) {
            done++;
        }
        if (done == 0) {
            return 0;
        }
        try (CausalLm saved = checkpoints.loadModel(file, model.spec(), model.device())) {
            model.setSteering(saved.steering());
        }
        for (int r = 0; r < done; r++) {
            run.replayFinished(UnlearnStage.unit(named, r, requests), 0);
        }
        return done;
    }
}
