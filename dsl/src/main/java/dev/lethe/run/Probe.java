package dev.lethe.run;

import ai.djl.ndarray.NDScope;
import dev.lethe.data.Split;
import dev.lethe.model.CausalLm;
import dev.lethe.spec.Continual;
import dev.lethe.spec.Evaluation;
import org.jspecify.annotations.Nullable;

/**
 * The continual evaluation of one model during one training stage ({@link Continual}): measures it after a
 * number of steps, every {@code every} steps, as curve rows of the stage.
 */
final class Probe {
    private final RunContext run;
    private final String model;
    private final String stage;
    private final CausalLm trained;
    private final Continual continual;

    private Probe(RunContext run, String model, String stage, CausalLm trained, Continual continual) {
        this.run = run;
        this.model = model;
        this.stage = stage;
        this.trained = trained;
        this.continual = continual;
    }

    /** The probe of {@code trained} (called {@code model}) during {@code stage}, or null without {@code continual}. */
    static @Nullable Probe of(RunContext run, String model, String stage, CausalLm trained,
            @Nullable Continual continual) {
        return continual == null ? null : new Probe(run, model, stage, trained, continual);
    }

    /** Steps between two points. */
    long every() {
        return continual.every();
    }

    /**
     * Measures after {@code step} steps: called between steps (outside their scope and gradient collector), in a
     * scope of its own that frees every array the suites leave behind.
     */
    void at(long step) {
        Evaluation e = new Evaluation(continual.suites(), continual.splits());
        try (NDScope scope = new NDScope()) {
            for (Split split : e.splits()) {
                run.measure(model, stage, step, trained, e, split, run.data(), run.curves(), false);
            }
        }
    }
}
