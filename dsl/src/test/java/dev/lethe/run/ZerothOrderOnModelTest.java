package dev.lethe.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDScope;
import dev.lethe.data.BatchStream;
import dev.lethe.data.Dataset;
import dev.lethe.data.Encoded;
import dev.lethe.data.FictitiousFacts;
import dev.lethe.data.QaExample;
import dev.lethe.data.Split;
import dev.lethe.model.CausalLm;
import dev.lethe.model.GptConfig;
import dev.lethe.model.Tokenizer;
import dev.lethe.objective.Objective;
import dev.lethe.objective.Objectives;
import dev.lethe.optim.FirstOrder;
import dev.lethe.optim.LossOracle;
import dev.lethe.optim.Optimizer;
import dev.lethe.optim.Optimizers;
import dev.lethe.optim.Sam;
import dev.lethe.optim.ScaleByLearningRate;
import dev.lethe.optim.Schedules;
import dev.lethe.optim.Spsa;
import dev.lethe.optim.TransformState;
import dev.lethe.optim.Updates;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * SPSA and SAM on the runner's own step ({@link StepContext}) with a small GPT: the weights come back after
 * each estimate, a zeroth-order step never asks for gradients, and no arrays leak from the step scope.
 */
class ZerothOrderOnModelTest {

    @Test
    void spsaAndSamRestoreTheModelAndZerothOrderNeverBackPropagates() {
        Dataset data = new FictitiousFacts(6, 0.2, 1, 2, 1, 1).load(1);
        Tokenizer tokenizer = data.fitTokenizer();
        GptConfig config = new GptConfig(tokenizer.vocabSize(), 1, 32, 2, 32, 0f);
        Objective objective = Objectives.nll(Split.RETAIN);
        try (CausalLm model = CausalLm.initialize(config, 1, Device.cpu())) {
            Map<Split, BatchStream> streams = Map.of(Split.RETAIN, stream(data.get(Split.RETAIN), tokenizer));
            Map<String, float[]> before = snapshot(model);
            int[] gradientCalls = {0};
            double[] deviation = new double[2];
            try (NDScope scope = new NDScope()) {
                StepContext ctx = new StepContext(0, 1, model, () -> model, streams, tokenizer, objective);
                new Spsa(1e-3, 2, true).estimate(counting(ctx, gradientCalls), model.weights(), 17);
                deviation[0] = maxDeviation(before, model);
                Sam.of(new FirstOrder(), 0.05).estimate(ctx, model.weights(), 18);
                deviation[1] = maxDeviation(before, model);
            }
            System.out.printf("on a %d-parameter GPT: max |Δθ| after SPSA (q=2) %.3g, after SAM too %.3g%n",
                    model.weights().size(), deviation[0], deviation[1]);
            assertEquals(0, gradientCalls[0]);
            assertTrue(deviation[0] <= 1e-6, "SPSA deviation " + deviation[0]);
            assertTrue(deviation[1] <= 1e-6, "SAM deviation " + deviation[1]);

            Optimizer zo = Optimizers.zerothOrder(1e-3, 1e-3, 1);
            int[] live = new int[2];
            List<Double> losses = new ArrayList<>();
            try (Optimizer.State state = zo.init(model.weights(), model.manager())) {
                for (int s = 0; s < 20; s++) {
                    try (NDScope scope = new NDScope()) {
                        StepContext ctx = new StepContext(s, 20, model, () -> model, streams, tokenizer, objective);
                        Optimizer.Outcome o = zo.step(counting(ctx, gradientCalls), model.weights(), state, s, 20, s);
                        assertTrue(o.applied(), o.problem());
                        losses.add(o.loss());
                    }
                    if (s == 0) {
                        live[0] = model.manager().getManagedArrays().size();
                    }
                }
                live[1] = model.manager().getManagedArrays().size();
            }
            assertEquals(0, gradientCalls[0], "a zeroth-order step asked for gradients");
            assertEquals(live[0], live[1], "arrays leaked from the step scope");
            assertTrue(maxDeviation(before, model) > 0, "twenty zeroth-order steps moved the weights");
            assertTrue(losses.stream().allMatch(Double::isFinite), losses.toString());
        }
    }

    @Test
    void fusedMezoStepMatchesTheMaterialisedOneAndEvaluationsFreeTheirIntermediates() {
        Dataset data = new FictitiousFacts(6, 0.2, 1, 2, 1, 1).load(1);
        Tokenizer tokenizer = data.fitTokenizer();
        GptConfig config = new GptConfig(tokenizer.vocabSize(), 1, 32, 2, 32, 0f);
        Objective objective = Objectives.npo().plus(Objectives.nll(Split.RETAIN));
        try (CausalLm fusedModel = CausalLm.initialize(config, 1, Device.cpu());
                CausalLm plainModel = CausalLm.initialize(config, 1, Device.cpu());
                CausalLm reference = fusedModel.frozenCopy()) {
            Optimizer fused = Optimizers.zerothOrder(1e-2, 1e-3, 2);
            Spsa spsa = (Spsa) fused.estimator();
            assertTrue(fused.inPlace());
            double maxDiff = 0;
            try (Optimizer.State state = fused.init(fusedModel.weights(), fusedModel.manager())) {
                for (int s = 0; s < 3; s++) {
                    // the same θ, batches and seed for both (see MezoTest for why one step at a time)
                    int step = s;
                    fusedModel.weights().forEach((n, w) -> w.copyTo(plainModel.weights().get(n)));
                    try (NDScope scope = new NDScope()) {
                        StepContext a = new StepContext(s, 3, fusedModel, () -> reference,
                                streams(data, tokenizer), tokenizer, objective);
                        assertTrue(fused.step(a, fusedModel.weights(), state, s, 3, 40 + s).applied());
                        StepContext b = new StepContext(s, 3, plainModel, () -> reference,
                                streams(data, tokenizer), tokenizer, objective);
                        Updates u = new ScaleByLearningRate(Schedules.constant(1e-2)).update(
                                spsa.estimate(b, plainModel.weights(), 40 + s).direction(), TransformState.NONE,
                                plainModel.weights(), step, 3);
                        u.asMap().forEach((n, d) -> plainModel.weights().get(n).addi(d));
                    }
                    maxDiff = Math.max(maxDiff, maxDeviation(snapshot(plainModel), fusedModel));
                }
            }
            System.out.printf("GPT: fused vs materialised MeZO step, max |Δθ| %.3g%n", maxDiff);
            assertTrue(maxDiff <= 1e-6, "fused vs materialised " + maxDiff);
            assertTrue(maxDeviation(snapshot(reference), fusedModel) > 1e-5, "the steps moved the weights");

            // a no-grad loss evaluation leaves only its scalar behind once the step's caches exist
            try (NDScope scope = new NDScope()) {
                StepContext ctx = new StepContext(0, 1, fusedModel, () -> reference, streams(data, tokenizer),
                        tokenizer, objective);
                int[] live = new int[4];
                live[0] = live(fusedModel, reference);
                float first = ctx.loss().getFloat();
                live[1] = live(fusedModel, reference);
                float second = ctx.loss().getFloat();
                live[2] = live(fusedModel, reference);
                ctx.loss();
                live[3] = live(fusedModel, reference);
                System.out.println("live arrays before and after three loss evaluations: " + Arrays.toString(live));
                assertEquals(first, second, 0f, "the cached batches and reference pass are reused intact");
                assertEquals(1, live[2] - live[1], "the second evaluation kept more than its loss");
                assertEquals(1, live[3] - live[2], "the third evaluation kept more than its loss");
            }
        }
    }

    private static int live(CausalLm model, CausalLm reference) {
        return model.manager().getManagedArrays().size() + reference.manager().getManagedArrays().size();
    }

    private static Map<Split, BatchStream> streams(Dataset data, Tokenizer tokenizer) {
        return Map.of(Split.FORGET, stream(data.get(Split.FORGET), tokenizer), Split.RETAIN,
                stream(data.get(Split.RETAIN), tokenizer));
    }

    private static LossOracle counting(LossOracle inner, int[] gradientCalls) {
        return new LossOracle() {
            @Override
            public NDArray loss() {
                return inner.loss();
            }

            @Override
            public Evaluation lossAndGradients() {
                gradientCalls[0]++;
                return inner.lossAndGradients();
            }
        };
    }

    private static Map<String, float[]> snapshot(CausalLm model) {
        Map<String, float[]> out = new LinkedHashMap<>();
        model.weights().forEach((n, w) -> out.put(n, w.toFloatArray()));
        return out;
    }

    private static double maxDeviation(Map<String, float[]> before, CausalLm model) {
        double max = 0;
        for (Map.Entry<String, float[]> e : before.entrySet()) {
            float[] now = model.weights().get(e.getKey()).toFloatArray();
            for (int i = 0; i < now.length; i++) {
                max = Math.max(max, Math.abs((double) now[i] - e.getValue()[i]));
            }
        }
        return max;
    }

    private static BatchStream stream(List<QaExample> examples, Tokenizer tokenizer) {
        List<Encoded> encoded = new ArrayList<>();
        examples.forEach(e -> encoded.add(Encoded.of(tokenizer, e.question(), e.answer())));
        return new BatchStream(encoded, 4, 3);
    }
}
