package dev.lethe.run;

import dev.lethe.model.Weights;
import dev.lethe.objective.CombinedObjective;
import dev.lethe.objective.Objective;
import dev.lethe.optim.LossOracle;
import dev.lethe.optim.PartEvaluations;
import dev.lethe.optim.Updates;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;

/**
 * One step's loss and direction for a {@link CombinedObjective}: one oracle per part (each part's gradient a
 * backward pass of its own), the combiner's direction over them, and the summed loss at θ. Shared by the whole-batch
 * step ({@link StepContext}) and the accumulated one ({@link MicroBatches}), which differ only in the oracles.
 */
final class CombinedStep {
    private CombinedStep() {}

    /** The evaluation of {@code combined} at step {@code step}, with {@code oracle} making each part's oracle. */
    static LossOracle.Evaluation evaluate(CombinedObjective combined, Weights weights, long step,
            Function<Objective, LossOracle> oracle) {
        Map<String, LossOracle> parts = new LinkedHashMap<>();
        combined.parts().forEach((name, part) -> parts.put(name, oracle.apply(part)));
        PartEvaluations evaluations = new PartEvaluations(weights, step, parts);
        Updates direction = combined.combiner().combine(evaluations);
        return new LossOracle.Evaluation(evaluations.totalLoss(), direction);
    }
}
