package dev.lethe.run;

import dev.lethe.spec.NamedStage;
import dev.lethe.spec.Stage;

/**
 * How one kind of {@link Stage} runs: reads and extends the run's shared state (models, rows, events) in
 * {@link RunContext}.
 *
 * @param <S> the stage record it runs
 */
@FunctionalInterface
interface StageRunner<S extends Stage> {
    /** Runs {@code stage}, the recipe's {@code named} stage. */
    void run(NamedStage named, S stage, RunContext run);
}
