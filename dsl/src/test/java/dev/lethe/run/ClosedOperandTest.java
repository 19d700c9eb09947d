package dev.lethe.run;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.lethe.Lethe;
import dev.lethe.data.FictitiousFacts;
import dev.lethe.data.Split;
import dev.lethe.model.GptConfig;
import dev.lethe.objective.Objective;
import dev.lethe.spec.Recipe;
import dev.lethe.spec.Training;
import dev.lethe.spec.Unlearning;
import org.junit.jupiter.api.Test;

/** An objective whose constant was freed before the step fails loudly, naming the objective and the remedy. */
class ClosedOperandTest {
    @Test
    void aConstantClosedBeforeTheStepIsNamedNotReadAsGarbage() {
        NDArray half;
        try (NDManager cell = NDManager.newBaseManager(Device.cpu())) {
            half = cell.create(0.5f); // made once in a notebook cell, freed when the cell's manager closed
        }
        NDArray closed = half;
        Objective scaled = step -> step.scores(Split.FORGET).meanNll().mean().mul(closed);
        Recipe recipe = Lethe.recipe("closed")
                .model(new GptConfig(0, 1, 16, 2, 32, 0f))
                .data(new FictitiousFacts(4, 0.25, 1, 2, 1, 1))
                .learn(Training.of(2).batchSize(4))
                .unlearn(Unlearning.of(scaled).steps(1).batchSize(2))
                .build();
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> Runner.of(recipe).noCache().run());
        assertTrue(e.getMessage().contains("used an NDArray that was already closed")
                && e.getMessage().contains("create constants inside the objective"), e.getMessage());
    }
}
