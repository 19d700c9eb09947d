package dev.lethe.run;

import dev.lethe.model.CausalLm;
import dev.lethe.result.RunEvent;
import dev.lethe.spec.HfReference;
import dev.lethe.spec.NamedStage;

/**
 * The {@code reference: {hf: DIR}} stage ({@link HfReference}): loads the folder's weights as the run's reference,
 * the model the cross-model metrics compare with; the current model stays. Nothing is trained, so nothing is
 * checkpointed or cached: a resumed run, and {@code lethe eval} on a run directory, load the folder again (its
 * content is in the provenance's hash, so a changed folder is not taken for the one the run started with).
 * {@link Preflight} has checked that the folder's architecture, vocabulary and tokenizer are the run's.
 */
final class HfReferenceStage {
    private HfReferenceStage() {}

    static void run(NamedStage named, HfReference stage, RunContext run) {
        long start = System.nanoTime();
        run.emit(new RunEvent.StageStarted(named.name(), 1));
        CausalLm model = stage.folder().load(run.device(), HfReference.field(named.index()));
        run.add(named, model);
        run.emit(new RunEvent.StageFinished(named.name(), (System.nanoTime() - start) / 1e9, 1, "", false));
    }
}
