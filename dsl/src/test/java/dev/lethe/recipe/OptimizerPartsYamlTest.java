package dev.lethe.recipe;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.lethe.Lethe;
import dev.lethe.objective.Objectives;
import dev.lethe.optim.FirstOrder;
import dev.lethe.optim.ForgetSam;
import dev.lethe.optim.GradientCombiner;
import dev.lethe.optim.Hybrid;
import dev.lethe.optim.Optimizer;
import dev.lethe.optim.QuantizeUpdates;
import dev.lethe.optim.ScaleByAdam;
import dev.lethe.optim.ScaleByLearningRate;
import dev.lethe.optim.ScaleBySnr;
import dev.lethe.optim.Schedules;
import dev.lethe.optim.Spsa;
import dev.lethe.spec.Recipe;
import dev.lethe.spec.Unlearning;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Issue 16's optimizer parts as recipe files write them: the hybrid (alternation by default, per-branch rate
 * scales), SAM on the forget part ({@code forget_sam}), N-bit compression ({@code quantize}), the SNR within a step
 * in the ratio form, and the refined schedule from a run's log with its ℓ1 variant; read, and written back equal.
 */
class OptimizerPartsYamlTest {

    @Test
    void theNewPartsReadFromYamlAndWriteBackEqual() {
        Recipe r = Lethe.fromYaml("""
                name: o
                model: gpt
                data: fictitious_facts
                stages:
                - unlearn:
                    objective: {combined: {combiner: {forget_sam: {rho: 0.1}}, parts: {forget: npo, retain: kl_retain}}}
                    accumulate: 2
                    optimizer:
                      estimator: {hybrid: {zeroth_order_scale: 0.01}}
                      transforms:
                      - scale_by_adam
                      - quantize_updates: {bits: 4, rounding: stochastic}
                      - scale_by_snr: {noise: within_step, form: ratio}
                      - scale_by_learning_rate: {schedule: {refined_from_run: {events: runs/first, lr: 1.0e-3, norm: l1, median_width: 3}}}
                """);
        Unlearning u = r.first(Unlearning.class);
        assertEquals(Objectives.combine(new ForgetSam("forget", 0.1),
                Map.of("forget", Objectives.npo(), "retain", Objectives.klRetain())), u.objective());
        Optimizer expected = new Optimizer(new Hybrid(new FirstOrder(), Spsa.KIND.create(Map.of("exact_loss", false)),
                Hybrid.Mode.ALTERNATE, 0.5, 2, 1, 0.01, false),
                List.of(ScaleByAdam.KIND.defaults(), new QuantizeUpdates(4, true, QuantizeUpdates.Rounding.STOCHASTIC, 0),
                        ScaleBySnr.withinStep(ScaleBySnr.Form.RATIO),
                        new ScaleByLearningRate(new Schedules.RefinedFromRun(Path.of("runs/first"), "unlearn", 1e-3, 3,
                                Schedules.Norm.L1))));
        assertEquals(expected, u.optimizer());
        assertEquals(r, Lethe.fromYaml(Lethe.toYaml(r)), Lethe.toYaml(r));
        Recipe mix = Lethe.fromYaml("name: o\nmodel: gpt\ndata: fictitious_facts\nstages: [{unlearn: {objective: npo, optimizer: "
                + "{estimator: {hybrid: {mode: mix, normalize: true}}, transforms: [{scale_by_learning_rate: "
                + "{schedule: {constant: {lr: 0.1}}}}]}}}]\n");
        assertEquals(Hybrid.normalizedMix(new FirstOrder(), Spsa.KIND.create(Map.of("exact_loss", false)), 0.5),
                mix.first(Unlearning.class).optimizer().estimator());
        assertEquals(GradientCombiner.forgetSam(0.05), ForgetSam.KIND.defaults());
    }
}
