package dev.lethe.part;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lethe.Quickstart;
import dev.lethe.data.Split;
import dev.lethe.objective.NamedObjective;
import dev.lethe.objective.Objective;
import dev.lethe.objective.Objectives;
import dev.lethe.optim.Optimizers;
import dev.lethe.optim.Schedules;
import dev.lethe.spec.BuiltInKinds;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Parts show as a recipe file writes them, with every parameter, learning rate and name. */
class PartTextTest {
    @Test
    void aCombinedObjectiveShowsItsPartsWeightsAndCombiner() {
        assertEquals("{conflict_projection: {forget: {npo: {beta: 0.1}}, retain: {kl_retain: {split: retain}}, "
                        + "retain_weight: 0.5}}",
                Objectives.conflictProjection(Objectives.npo(), Objectives.klRetain().times(0.5)).toString());
        assertEquals("{combined: {combiner: {stable_un: {forget: forget, retain: retain, rho: 0.05, points: 1, seed: 0}}, "
                        + "parts: {forget: {npo: {beta: 0.1}}, retain: {kl_retain: {split: retain}}}}}",
                Objectives.stableUn(Objectives.npo(), Objectives.klRetain()).toString());
        assertEquals("{plus: [{npo: {beta: 0.1}}, {nll: {splits: [retain, world]}}]}",
                Objectives.npo().plus(Objectives.nll(Split.RETAIN, Split.WORLD)).toString());
    }

    @Test
    void anOptimizerChainShowsItsLearningRateAndSchedule() {
        assertEquals("{estimator: first_order, transforms: [{scale_by_adam: {b1: 0.9, b2: 0.999, eps: 1.0E-8}}, "
                        + "{add_decayed_weights: {rate: 0.01}}, {scale_by_learning_rate: {schedule: {constant: {lr: 0.001}}}}]}",
                Optimizers.adamW(1e-3).toString());
        assertEquals("{estimator: first_order, transforms: [{scale_by_learning_rate: {schedule: {cosine: {lr: 0.001, "
                        + "warmup_steps: 10}}}}]}",
                Optimizers.sgd(Schedules.warmupCosine(1e-3, 10)).toString());
    }

    @Test
    void aLambdaObjectiveShowsItsGivenNameOrThatItIsAnUnnamedLambda() {
        Objective lambda = step -> step.scores(Split.FORGET).meanNll().mean().neg();
        assertEquals("{times: {weight: 0.5, objective: custom objective (unnamed lambda)}}", lambda.times(0.5).toString());
        assertEquals("{plus: [{npo: {beta: 0.1}}, custom objective (unnamed lambda)]}",
                Objectives.npo().plus(lambda).toString());
        assertEquals("{times: {weight: {linear_decay: {lr: 1.0, warmup_steps: 0}}, objective: bounded_ascent}}",
                NamedObjective.of("bounded_ascent", lambda).times(Schedules.linearDecay(1)).toString());
        assertEquals("{double_npo: {beta: 0.5}}", NamedObjective.kind("double_npo", "NPO twice",
                        List.of(Param.of("beta", ParamTypes.real(ParamTypes.Range.positive()), 0.1, "β")),
                        a -> Objectives.npo(a.real("beta")).times(2))
                .create(Map.of("beta", 0.5)).toString());
    }

    @Test
    void everyBuiltInPartShowsWhatTheCodecsKindsWrite() {
        List<Object> parts = new ArrayList<>();
        for (BuiltInKinds.SlotKinds<?> s : BuiltInKinds.SLOTS) {
            for (Kind<?> kind : s.kinds()) {
                // (reference's parameters are two alternatives, steps or hf: it has no all-defaults part)
                if (kind.params().stream().noneMatch(Param::required) && kind != dev.lethe.spec.Reference.KIND) {
                    Object part = kind.defaults();
                    if (List.of("objective", "schedule", "estimator", "transform", "combiner")
                            .contains(s.slot().name())) {
                        assertEquals(PartText.part(s.slot(), part, BuiltInKinds.INSTANCE), part.toString(), kind.name());
                        parts.add(part);
                    }
                }
            }
        }
        assertTrue(parts.size() > 20, "defaults of " + parts.size() + " kinds checked");
    }

    @Test
    void aRecipeShowsOneLinePerStageWithItsParts() {
        List<String> lines = Quickstart.recipe().toString().lines().toList();
        assertEquals("recipe quickstart (seed 42, device cpu)", lines.get(0));
        assertEquals("  3. unlearn: {objective: {plus: [{npo: {beta: 0.1}}, {nll: {splits: [retain, world, real_authors]}}]}, "
                + "optimizer: {estimator: first_order, transforms: [{scale_by_adam: {b1: 0.9, b2: 0.999, eps: 1.0E-8}}, "
                + "{add_decayed_weights: {rate: 0.01}}, {scale_by_learning_rate: {schedule: {constant: {lr: 0.001}}}}]}, "
                + "steps: 200, batch_size: 16, accumulate: 1, requests: 1, train_on: answers, precision: float32}",
                lines.get(5));
        assertEquals("  4. attack: {attacks: [{quantize: {bits: 4}}, {relearn: {steps: 20, examples: 5, lr: 0.001}}]}",
                lines.get(6));
        assertEquals(8, lines.size());
    }
}
