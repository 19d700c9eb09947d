package dev.lethe.attack;

import dev.lethe.data.QaExample;
import dev.lethe.model.CausalLm;
import dev.lethe.optim.Optimizer;
import java.util.List;

/**
 * Fine-tunes a model in place on the next-token NLL of some examples' answers (prompt masked): the
 * runner's own optimisation loop, with its events, numeric guards and seeded batch order.
 */
@FunctionalInterface
public interface FineTuner {
    /**
     * Runs {@code steps} steps of {@code optimizer} on batches of {@code batchSize} drawn from
     * {@code examples}, changing {@code model}'s weights; the runner names the stage of its events after the
     * attack stage and the attack ({@code attack.relearn}).
     *
     * @return false when a numeric guard stopped the loop early (the reason is in the event log)
     */
    boolean fineTune(CausalLm model, List<QaExample> examples, int batchSize, long steps, Optimizer optimizer);
}
