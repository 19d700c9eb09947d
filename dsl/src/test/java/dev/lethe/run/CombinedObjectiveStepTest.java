package dev.lethe.run;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDScope;
import dev.lethe.data.BatchStream;
import dev.lethe.data.Dataset;
import dev.lethe.data.Encoded;
import dev.lethe.data.FictitiousFacts;
import dev.lethe.data.Split;
import dev.lethe.model.CausalLm;
import dev.lethe.model.GptConfig;
import dev.lethe.model.Tokenizer;
import dev.lethe.objective.CombinedObjective;
import dev.lethe.objective.ConceptCorrection;
import dev.lethe.objective.LogisticDiscriminator;
import dev.lethe.objective.Objective;
import dev.lethe.objective.Objectives;
import dev.lethe.optim.ConflictProjection;
import dev.lethe.optim.GradientCombiner;
import dev.lethe.optim.Optimizer;
import dev.lethe.optim.Optimizers;
import dev.lethe.optim.Updates;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A combined objective on a tiny model through {@link StepContext}: one backward pass per part, combined
 * by the combiner; the plain sum reproduces the summed objective's gradient, the conflict projection
 * (PCGrad) changes the direction when gradient ascent on forget and NLL on retain conflict, StableUN leaves
 * the weights bit for bit as they were, and a few optimisation steps with each estimator family train.
 */
class CombinedObjectiveStepTest {
    private static final Objective FORGET = Objectives.gradientAscent();
    private static final Objective RETAIN = Objectives.nll();
    private Tokenizer tokenizer;
    private Map<Split, List<Encoded>> encoded;
    private CausalLm model;
    private CausalLm reference;

    @BeforeEach
    void setUp() {
        Dataset data = new FictitiousFacts(8, 0.5, 1, 3, 1, 1).load(2);
        tokenizer = data.fitTokenizer();
        encoded = new EnumMap<>(Split.class);
        for (Split s : List.of(Split.FORGET, Split.RETAIN, Split.HOLDOUT)) {
            List<Encoded> list = new ArrayList<>();
            data.get(s).forEach(e -> list.add(Encoded.of(tokenizer, e.question(), e.answer())));
            encoded.put(s, list);
        }
        GptConfig config = new GptConfig(tokenizer.vocabSize(), 2, 16, 2, 64, 0f);
        model = CausalLm.initialize(config, 1, Device.cpu());
        reference = model.frozenCopy();
    }

    @AfterEach
    void tearDown() {
        reference.close();
        model.close();
    }

    private StepContext context(long index, long total, Objective objective) {
        Map<Split, BatchStream> streams = new EnumMap<>(Split.class);
        encoded.forEach((s, list) -> streams.put(s, new BatchStream(list, 4, 7 + index)));
        return new StepContext(index, total, model, () -> reference, streams, tokenizer, objective);
    }

    @Test
    void theSumCombinerGivesTheSummedObjectivesGradient() {
        try (NDScope scope = new NDScope()) {
            var combined = context(0, 1, Objectives.combine(GradientCombiner.sum(), parts())).lossAndGradients();
            var plain = context(0, 1, FORGET.plus(RETAIN)).lossAndGradients();
            assertEquals(plain.loss().getFloat(), combined.loss().getFloat(), 1e-5f);
            for (String name : model.weights().names()) {
                assertArrayEquals(plain.gradients().get(name).toFloatArray(),
                        combined.gradients().get(name).toFloatArray(), 1e-5f, name);
            }
        }
    }

    @Test
    void conflictProjectionChangesTheDirectionWhenForgetAndRetainConflict() {
        try (NDScope scope = new NDScope()) {
            Updates[] seen = new Updates[2];
            GradientCombiner spy = parts -> {
                seen[0] = parts.gradient("forget");
                seen[1] = parts.gradient("retain");
                return GradientCombiner.conflictProjection().combine(parts);
            };
            Updates projected = context(0, 1, Objectives.combine(spy, parts())).lossAndGradients().gradients();
            double conflict = seen[0].dot(seen[1]);
            assertTrue(conflict < 0, "ascent on forget and descent on retain conflict on this toy: " + conflict);
            Updates summed = seen[0].plus(seen[1]);
            Updates forgetPart = projected.plus(seen[1].times(-1));
            assertEquals(0.0, forgetPart.dot(seen[1]) / Math.sqrt(seen[1].dot(seen[1]) * forgetPart.dot(forgetPart)),
                    1e-4, "what remains of the forget gradient is orthogonal to the retain gradient");
            Updates difference = projected.plus(summed.times(-1));
            assertTrue(Math.sqrt(difference.dot(difference)) > 1e-3 * Math.sqrt(summed.dot(summed)),
                    "the projection moved the direction away from the plain sum");
        }
    }

    @Test
    void stableUnRestoresTheModelsWeightsBitForBit() {
        Map<String, float[]> before = new LinkedHashMap<>();
        model.weights().forEach((name, w) -> before.put(name, w.toFloatArray()));
        try (NDScope scope = new NDScope()) {
            context(0, 1, Objectives.stableUn(FORGET, RETAIN, 0.3, 3, 5)).lossAndGradients();
        }
        model.weights().forEach((name, w) -> assertArrayEquals(bits(before.get(name)), bits(w.toFloatArray()), name));
    }

    @Test
    void combinedObjectivesTrainWithFirstOrderSamAndZerothOrderEstimators() {
        CombinedObjective objective = Objectives.conflictProjection(FORGET, RETAIN.times(0.5));
        // an untrained model: descending on retain lowers every NLL, so what unlearning shows is the gap
        double gapBefore = nll(Split.FORGET) - nll(Split.RETAIN);
        train(Optimizers.signAdam(1e-2), objective, 3);
        double gapAfter = nll(Split.FORGET) - nll(Split.RETAIN);
        assertTrue(gapAfter > gapBefore + 0.1, "forget NLL rises relative to retain: " + gapBefore + " -> " + gapAfter);
        train(Optimizers.sam(1e-2, 0.05), Objectives.stableUn(FORGET, RETAIN, 0.05, 2, 1), 1);
        train(Optimizers.zerothOrder(1e-3, 1e-3, 2), objective, 1);
        assertTrue(Double.isFinite(nll(Split.FORGET)));
    }

    @Test
    void conceptCorrectionTrainsItsDiscriminatorOncePerStepOnTheModel() {
        ConceptCorrection cc = Objectives.conceptCorrection();
        List<Double> biases = new ArrayList<>();
        Objective watched = step -> {
            NDArray loss = cc.loss(step);
            biases.add(((LogisticDiscriminator) cc.discriminator()).bias());
            return loss;
        };
        // SAM evaluates twice per step, conflict projection once per part: still one update per step
        train(Optimizers.sam(1e-2, 0.05), Objectives.conflictProjection(watched, RETAIN), 2);
        assertEquals(4, biases.size());
        assertEquals(biases.get(0), biases.get(1), "no update within step 0");
        assertEquals(biases.get(2), biases.get(3), "no update within step 1");
        assertTrue(!biases.get(1).equals(biases.get(2)), "an update at step 1");
        double[] w = ((LogisticDiscriminator) cc.discriminator()).weights();
        assertEquals(16, w.length, "the discriminator reads the last block's 16-wide output");
    }

    @Test
    void conceptCorrectionsWarmUpLeavesTheModelWeightsUntouchedAndTrainsOnlyTheDiscriminator() {
        Map<String, float[]> before = weights();
        ConceptCorrection warm = new ConceptCorrection(Split.HOLDOUT, ConceptCorrection.LAST, 0.05, 0.001, 1,
                ConceptCorrection.Adversary.MLP, 8, 3, 0);
        // Adam without decoupled weight decay: a zero gradient moves nothing (AdamW's decay would shrink weights)
        Optimizer adam = Optimizers.adamW(dev.lethe.optim.Schedules.constant(1e-2), 0);
        train(adam, warm, 3);
        Map<String, float[]> after = weights();
        before.forEach((name, w) -> assertArrayEquals(w, after.get(name), 0f, name + " moved during the warm-up"));
        assertEquals(8 * 16, warm.discriminator().state().get("w1").length, "the discriminator trained");
        ConceptCorrection shortWarmUp = new ConceptCorrection(Split.HOLDOUT, ConceptCorrection.LAST, 0.05, 0.001, 1,
                ConceptCorrection.Adversary.MLP, 8, 1, 0);
        train(adam, shortWarmUp, 2);
        Map<String, float[]> trained = weights();
        assertTrue(before.keySet().stream().anyMatch(n -> !java.util.Arrays.equals(before.get(n), trained.get(n))),
                "after the warm-up the generator loss trains the model");
    }

    private Map<String, float[]> weights() {
        Map<String, float[]> out = new LinkedHashMap<>();
        model.weights().forEach((n, w) -> out.put(n, w.toFloatArray()));
        return out;
    }

    private void train(Optimizer optimizer, Objective objective, int steps) {
        try (Optimizer.State state = optimizer.init(model.weights(), model.manager())) {
            for (int s = 0; s < steps; s++) {
                try (NDScope scope = new NDScope()) {
                    Optimizer.Outcome outcome = optimizer.step(context(s, steps, objective), model.weights(), state, s,
                            steps, 100 + s);
                    assertTrue(outcome.applied(), "step " + s + ": " + outcome.problem());
                }
            }
        }
    }

    private double nll(Split split) {
        try (NDScope scope = new NDScope()) {
            return context(0, 1, new dev.lethe.objective.Nll(split)).loss().getFloat();
        }
    }

    private static int[] bits(float[] values) {
        int[] out = new int[values.length];
        for (int i = 0; i < values.length; i++) {
            out[i] = Float.floatToIntBits(values[i]);
        }
        return out;
    }

    private static Map<String, Objective> parts() {
        Map<String, Objective> parts = new LinkedHashMap<>();
        parts.put(ConflictProjection.FORGET, FORGET);
        parts.put(ConflictProjection.RETAIN, RETAIN);
        return parts;
    }
}
