package dev.lethe.run;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import dev.lethe.data.BatchStream;
import dev.lethe.data.Split;
import dev.lethe.model.CausalLm;
import dev.lethe.model.Precision;
import dev.lethe.objective.Objective;
import dev.lethe.optim.LossOracle;
import dev.lethe.optim.Optimizer;
import dev.lethe.result.RunEvent;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * The one optimisation loop every training stage runs: {@code steps} steps of an optimizer on an objective,
 * each in its own {@link NDScope}, with per-step seeds derived from the stage's name, numeric guards (a NaN or
 * infinite loss or update, or a loss above a bound, stops it keeping the last good weights), continual
 * evaluation between steps, and mid-stage checkpoints from which a killed run continues bit for bit. With
 * {@link Loop#accumulate()} above 1 each step's batches are cut into micro-batches whose gradients are summed
 * before the one update ({@link MicroBatches}); the data order, the checkpoints and the seeds stay those of the
 * step, and a stopped step's reason names the micro-batch whose loss was NaN or infinite.
 */
final class TrainingLoop {
    private final RunContext run;

    TrainingLoop(RunContext run) {
        this.run = run;
    }

    /**
     * What one loop trains.
     *
     * @param stage the stage (or request) name: events, seeds and checkpoints use it
     * @param model the model whose {@link CausalLm#weights()} are trained
     * @param optimizer the optimizer
     * @param objective the loss
     * @param streams the batches of each split
     * @param steps the number of steps
     * @param reference the frozen reference model of NPO-like objectives, made on first use
     * @param probe continual evaluation, or null
     * @param divergeAbove a step whose |loss| is above this is refused and stops the loop
     * @param precision what the passes compute in ({@link MixedPrecision})
     * @param checkpointed whether the loop takes mid-stage checkpoints (not for attacks, which are repeated)
     * @param accumulate how many micro-batches each step's batches are cut into ({@link MicroBatches}; 1: none)
     */
    record Loop(String stage, CausalLm model, Optimizer optimizer, Objective objective, Map<Split, BatchStream> streams,
            long steps, Supplier<CausalLm> reference, @Nullable Probe probe, double divergeAbove, Precision precision,
            boolean checkpointed, int accumulate) {

        /** Checks the accumulation against the objective. */
        Loop {
            if (accumulate < 1) {
                throw new IllegalArgumentException("stage " + stage + ": accumulate must be >= 1, was " + accumulate);
            }
            if (accumulate > 1 && !objective.accumulates()) {
                throw new IllegalArgumentException("stage " + stage + ": " + MicroBatches.refusal(objective, accumulate));
            }
        }

        /** A checkpointed float32 loop without a reference model, continual evaluation or divergence bound. */
        static Loop of(String stage, CausalLm model, Optimizer optimizer, Objective objective,
                Map<Split, BatchStream> streams, long steps) {
            return new Loop(stage, model, optimizer, objective, streams, steps, () -> {
                throw new IllegalStateException("stage " + stage + " has no reference model");
            }, null, Double.POSITIVE_INFINITY, Precision.FLOAT32, true, 1);
        }

        Loop withReference(Supplier<CausalLm> frozen) {
            return new Loop(stage, model, optimizer, objective, streams, steps, frozen, probe, divergeAbove, precision,
                    checkpointed, accumulate);
        }

        Loop withProbe(@Nullable Probe newProbe) {
            return new Loop(stage, model, optimizer, objective, streams, steps, reference, newProbe, divergeAbove,
                    precision, checkpointed, accumulate);
        }

        Loop withGuard(double bound, Precision newPrecision) {
            return new Loop(stage, model, optimizer, objective, streams, steps, reference, probe, bound, newPrecision,
                    checkpointed, accumulate);
        }

        Loop uncheckpointed() {
            return new Loop(stage, model, optimizer, objective, streams, steps, reference, probe, divergeAbove,
                    precision, false, accumulate);
        }

        /** This loop with each step's batches cut into {@code k} micro-batches whose gradients are accumulated. */
        Loop withAccumulation(int k) {
            return new Loop(stage, model, optimizer, objective, streams, steps, reference, probe, divergeAbove,
                    precision, checkpointed, k);
        }
    }

    /** Runs {@code loop}; returns false when a numeric guard stopped it (the reason is in its end event). */
    boolean run(Loop loop) {
        String stage = loop.stage();
        CausalLm model = loop.model();
        Probe probe = loop.probe();
        run.emit(new RunEvent.StageStarted(stage, loop.steps()));
        long start = System.nanoTime();
        String stop = "";
        long done = 0;
        Checkpoints checkpoints = loop.checkpointed() ? run.checkpoints() : null;
        Checkpoints.Mid mid = run.takeMid(stage);
        if (probe != null && mid == null) {
            probe.at(0);
        }
        try (Optimizer.State state = loop.optimizer().init(model.weights(), model.manager());
                MixedPrecision evaluations = MixedPrecision.of(loop.precision(), model)) {
            if (mid != null) {
                done = restore(mid, model, state, loop.objective(), loop.streams());
            }
            long first = done;
            for (long s = first; s < loop.steps(); s++) {
                Optimizer.Outcome outcome;
                String where = "";
                if (model.spec().dropout() > 0) {
                    // dropout draws from the engine's generator: seeded per step, so a resumed stage draws the same
                    Engine.getInstance().setRandomSeed((int) Seeds.derive(run.seed(), stage + ".dropout", s));
                }
                try (NDScope scope = new NDScope()) {
                    LossOracle ctx = evaluations.oracle(s, loop.steps(), loop.reference(), loop.streams(),
                            run.tokenizer(), loop.objective(), loop.accumulate());
                    outcome = loop.optimizer().step(ctx, model.weights(), state, s, loop.steps(),
                            Seeds.derive(run.seed(), stage + ".step", s), loop.divergeAbove());
                    MicroBatches micro = evaluations.lastMicroBatches();
                    if (!outcome.applied() && micro != null) {
                        where = micro.where();
                    }
                }
                if (!outcome.applied()) {
                    stop = outcome.problem() + where + " at step " + (s + 1) + "; the weights are those after step " + s;
                    break;
                }
                done = s + 1;
                if (probe != null && done % probe.every() == 0) {
                    probe.at(done);
                }
                double seconds = (System.nanoTime() - start) / 1e9;
                run.emit(new RunEvent.Progress(stage, done, loop.steps(), outcome.loss(),
                        (done - first) / Math.max(seconds, 1e-9), outcome.gradientNorm(), outcome.gradientL1Norm()));
                if (checkpoints != null && checkpoints.due(done, loop.steps())) {
                    Map<String, Long> draws = new LinkedHashMap<>();
                    loop.streams().forEach((split, stream) -> draws.put(split.id(), stream.draws()));
                    run.emit(checkpoints.midStage(stage, done, model.weights().asMap(), state.arrays(), draws,
                            loop.objective().state(), run.trainingCurves()));
                }
            }
        }
        if (probe != null && done % probe.every() != 0) {
            probe.at(done);
        }
        run.emit(new RunEvent.StageFinished(stage, (System.nanoTime() - start) / 1e9, done, stop, false));
        return stop.isEmpty();
    }

    /**
     * Sets the trained weights, the optimizer state, the objective's state and the data streams to those of
     * {@code mid}; returns the steps it had done.
     */
    private long restore(Checkpoints.Mid mid, CausalLm model, Optimizer.State state, Objective objective,
            Map<Split, BatchStream> streams) {
        try (NDManager scratch = model.manager().newSubManager()) {
            Map<String, NDArray> arrays = Objects.requireNonNull(run.checkpoints()).readArrays(mid.file(), scratch);
            Map<String, NDArray> weights = new LinkedHashMap<>();
            Map<String, NDArray> optimizerState = new LinkedHashMap<>();
            arrays.forEach((name, a) -> (name.startsWith("w/") ? weights : optimizerState).put(name.substring(2), a));
            model.weights().assign(weights, mid.file());
            state.restore(optimizerState);
        }
        objective.restore(mid.objectiveState());
        for (Map.Entry<Split, BatchStream> e : streams.entrySet()) {
            e.getValue().skip(mid.draws().getOrDefault(e.getKey().id(), 0L));
        }
        return mid.stepsDone();
    }
}
