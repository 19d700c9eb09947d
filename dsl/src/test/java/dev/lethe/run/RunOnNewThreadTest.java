package dev.lethe.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import dev.lethe.Lethe;
import dev.lethe.data.FictitiousFacts;
import dev.lethe.data.Split;
import dev.lethe.model.GptConfig;
import dev.lethe.objective.Objectives;
import dev.lethe.result.RunResult;
import dev.lethe.spec.Recipe;
import dev.lethe.spec.Training;
import dev.lethe.spec.Unlearning;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** A run on a thread other than the one that started the engine, as in a Jupyter kernel (a new thread per cell). */
class RunOnNewThreadTest {

    @Test
    void aRunOnAFreshThreadTrainsAndGivesTheSameNumbersAsOnTheEngineThread() throws Exception {
        Engine.getInstance();
        Recipe recipe = Lethe.recipe("thread")
                .model(new GptConfig(0, 1, 16, 2, 32, 0f))
                .data(new FictitiousFacts(4, 0.25, 1, 2, 1, 1))
                .learn(Training.of(8).batchSize(4))
                .unlearn(Unlearning.of(Objectives.npo()).steps(3).batchSize(2))
                .build();
        RunResult here = Lethe.run(recipe, e -> { });
        AtomicReference<RunResult> there = new AtomicReference<>();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread t = new Thread(() -> {
            try {
                there.set(Lethe.run(recipe, e -> { }));
            } catch (Throwable e) {
                failure.set(e);
            }
        });
        t.start();
        t.join();
        assertNull(failure.get(), () -> "the run on a new thread failed: " + failure.get());
        assertTrue(there.get().stopReasons().isEmpty(), there.get().stopReasons().toString());
        assertEquals(here.value("unlearned", Split.FORGET, "nll"), there.get().value("unlearned", Split.FORGET, "nll"));
    }
}
