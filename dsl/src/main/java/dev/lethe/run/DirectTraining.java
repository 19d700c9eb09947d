package dev.lethe.run;

import ai.djl.ndarray.NDScope;
import dev.lethe.data.BatchStream;
import dev.lethe.data.Encoded;
import dev.lethe.data.Split;
import dev.lethe.model.CausalLm;
import dev.lethe.model.Tokenizer;
import dev.lethe.objective.Objective;
import dev.lethe.optim.Optimizer;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Trains a model outside a recipe run: the steps of a training stage (an {@link Optimizer} on an
 * {@link Objective}, each step's batches drawn from seeded {@link BatchStream}s, each step in its own
 * {@code NDScope}, the loss evaluated by the same step context as a run's), without the run's event log,
 * checkpoints or model cache. For models a recipe cannot name yet, such as a Hugging Face folder with its own
 * tokenizer and chat template (the pretrained path of {@link BaseModel}), and for notebooks.
 *
 * @param tokenizer the tokenizer whose bos, eos and pad ids frame each batch row
 * @param objective the loss, e.g. {@code Objectives.nll(...)} to learn, NPO to unlearn
 * @param optimizer the optimizer
 * @param batchSize the examples per split per step
 * @param steps the number of steps
 * @param seed the seed of the data order and of each step's estimator
 */
public record DirectTraining(Tokenizer tokenizer, Objective objective, Optimizer optimizer, int batchSize, long steps,
        long seed) {
    /** Validates the sizes. */
    public DirectTraining {
        if (batchSize < 1) {
            throw new IllegalArgumentException("batchSize must be >= 1, was " + batchSize);
        }
        if (steps < 0) {
            throw new IllegalArgumentException("steps must be >= 0, was " + steps);
        }
    }

    /**
     * Trains {@code model} in place on {@code data} (the examples of each split the objective reads).
     *
     * @param reference the frozen reference model of NPO-like objectives, or null when the objective needs none
     * @return the loss of each step, at the weights before it
     * @throws IllegalStateException when a step's loss or update is NaN or infinite (the weights are then those
     *     after the last good step)
     */
    public List<Double> train(CausalLm model, Map<Split, List<Encoded>> data, @Nullable CausalLm reference) {
        Map<Split, BatchStream> streams = new EnumMap<>(Split.class);
        data.forEach((split, examples) -> streams.put(split,
                new BatchStream(examples, batchSize, Seeds.derive(seed, "direct.data." + split.id()))));
        List<Double> losses = new ArrayList<>();
        try (Optimizer.State state = optimizer.init(model.weights(), model.manager())) {
            for (long s = 0; s < steps; s++) {
                Optimizer.Outcome outcome;
                try (NDScope scope = new NDScope()) {
                    StepContext ctx = new StepContext(s, steps, model, () -> {
                        if (reference == null) {
                            throw new IllegalStateException("the objective " + objective + " needs a reference model;"
                                    + " pass one to train");
                        }
                        return reference;
                    }, streams, tokenizer, objective);
                    outcome = optimizer.step(ctx, model.weights(), state, s, steps,
                            Seeds.derive(seed, "direct.step", s));
                }
                if (!outcome.applied()) {
                    throw new IllegalStateException(outcome.problem() + " at step " + (s + 1) + " of " + steps
                            + "; the weights are those after step " + s);
                }
                losses.add(outcome.loss());
            }
        }
        return losses;
    }
}
