package dev.lethe.run;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import dev.lethe.Lethe;
import dev.lethe.data.BatchStream;
import dev.lethe.data.Dataset;
import dev.lethe.data.Encoded;
import dev.lethe.data.FictitiousFacts;
import dev.lethe.data.Split;
import dev.lethe.eval.Suites;
import dev.lethe.model.CausalLm;
import dev.lethe.model.GptConfig;
import dev.lethe.model.Precision;
import dev.lethe.model.Tokenizer;
import dev.lethe.objective.AltPo;
import dev.lethe.objective.Objective;
import dev.lethe.objective.Objectives;
import dev.lethe.optim.FirstOrder;
import dev.lethe.optim.Optimizer;
import dev.lethe.optim.Optimizers;
import dev.lethe.optim.Sam;
import dev.lethe.optim.ScaleByLearningRate;
import dev.lethe.optim.Schedules;
import dev.lethe.recipe.RecipeException;
import dev.lethe.spec.Evaluation;
import dev.lethe.spec.Recipe;
import dev.lethe.spec.Training;
import dev.lethe.spec.Unlearning;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Gradient accumulation ({@link MicroBatches}): k steps whose batches are cut into micro-batches end with the
 * weights of the same k steps on the whole batches, for means over examples (NLL of a union, GradDiff, NPO,
 * DPO), over answer tokens (KL to the reference), their combinations, and every estimator (first order, SAM,
 * MeZO); the batches of the splits differ in size (5 forget, 8 retain rows, and at an epoch's end 1 forget row,
 * so some micro-batches hold no forget row at all), and the model is the built-in GPT without dropout.
 */
class AccumulationTest {
    private static final Dataset DATA = new FictitiousFacts(12, 0.25, 1, 2, 1, 1).load(1);
    private static final Tokenizer TOKENIZER = DATA.fitTokenizer();
    private static final GptConfig CONFIG = new GptConfig(TOKENIZER.vocabSize(), 2, 32, 2, 48, 0f);

    static Stream<Arguments> cases() {
        Optimizer sgd = Optimizers.sgd(0.05);
        return Stream.of(
                Arguments.of("nll of forget ∪ retain, SGD", Objectives.nll(Split.FORGET, Split.RETAIN), sgd, 1e-6),
                // Adam turns an element's gradient g into about ±lr when |g| is far below its ε-free scale, so the
                // rounding-level differences of near-zero gradients show as up to ~lr·1e-3 in the weights
                Arguments.of("nll of forget ∪ retain, AdamW", Objectives.nll(Split.FORGET, Split.RETAIN),
                        Optimizers.adamW(1e-3), 1e-5),
                Arguments.of("grad_diff, SGD", Objectives.gradDiff(), sgd, 1e-6),
                Arguments.of("npo + kl_retain (token mean), SGD", Objectives.npo().plus(Objectives.klRetain()), sgd, 1e-6),
                Arguments.of("dpo + 0.5 nll(retain), SGD", Objectives.dpo().plus(Objectives.nll(Split.RETAIN).times(0.5)),
                        sgd, 1e-6),
                Arguments.of("wga + inverted hinge, SGD", Objectives.wga().plus(Objectives.invertedHinge()), sgd, 1e-6),
                Arguments.of("undial + satimp (token means), SGD", Objectives.undial().plus(Objectives.satImp()), sgd,
                        1e-6),
                // each micro-batch samples its own examples' alternates: the same ones as the whole batch
                Arguments.of("altpo (2 alternates of at most 6 tokens), SGD", new AltPo(0.1, 2, 6, 1, 0), sgd, 1e-6),
                Arguments.of("conflict projection of ga and nll(retain), SGD",
                        Objectives.conflictProjection(Objectives.gradientAscent(), Objectives.nll(Split.RETAIN)), sgd, 1e-6),
                Arguments.of("npo, SAM", Objectives.npo(), Optimizers.chain(Sam.of(new FirstOrder(), 0.05),
                        new ScaleByLearningRate(Schedules.constant(0.05))), 1e-6),
                Arguments.of("simnpo + nll(retain), MeZO (fused)", Objectives.simNpo().plus(Objectives.nll(Split.RETAIN)),
                        Optimizers.zerothOrder(1e-3, 1e-2, 2), 1e-6));
    }

    /** The weights after {@code steps} steps with each step's batches cut into {@code accumulate} micro-batches. */
    private static float[] train(Objective objective, Optimizer optimizer, int accumulate, int steps) {
        try (CausalLm model = CausalLm.initialize(CONFIG, 3, Device.cpu());
                CausalLm reference = model.frozenCopy();
                MixedPrecision evaluations = MixedPrecision.of(Precision.FLOAT32, model);
                Optimizer.State state = optimizer.init(model.weights(), model.manager())) {
            Map<Split, BatchStream> streams = new EnumMap<>(Split.class);
            int forget = DATA.get(Split.FORGET).size();
            assertTrue(forget >= 5, "forget rows: " + forget);
            // a forget batch of all rows but one, then a 1-row batch at the epoch's end
            streams.put(Split.FORGET, new BatchStream(Encoded.all(TOKENIZER, DATA.get(Split.FORGET)), forget - 1, 11));
            streams.put(Split.RETAIN, new BatchStream(Encoded.all(TOKENIZER, DATA.get(Split.RETAIN)), 8, 12));
            for (int s = 0; s < steps; s++) {
                try (NDScope scope = new NDScope()) {
                    Optimizer.Outcome o = optimizer.step(evaluations.oracle(s, steps, () -> reference, streams,
                            TOKENIZER, objective, accumulate), model.weights(), state, s, steps, 100 + s);
                    assertTrue(o.applied(), o.problem());
                }
            }
            List<Float> all = new ArrayList<>();
            model.weights().forEach((n, w) -> {
                for (float x : w.toType(DataType.FLOAT32, false).toFloatArray()) {
                    all.add(x);
                }
            });
            float[] out = new float[all.size()];
            for (int i = 0; i < out.length; i++) {
                out[i] = all.get(i);
            }
            return out;
        }
    }

    private static double maxDifference(float[] a, float[] b) {
        double max = 0;
        for (int i = 0; i < a.length; i++) {
            max = Math.max(max, Math.abs(a[i] - b[i]));
        }
        return max;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void stepsOnMicroBatchesEndWithTheWeightsOfStepsOnTheWholeBatches(String name, Objective objective,
            Optimizer optimizer, double tolerance) {
        float[] start = train(objective, optimizer, 1, 0);
        float[] whole = train(objective, optimizer, 1, 3);
        float[] micro = train(objective, optimizer, 4, 3);
        double moved = maxDifference(start, whole);
        double difference = maxDifference(whole, micro);
        System.out.printf("%s: 3 steps moved the weights by up to %.3g; accumulate 4 vs 1: max |Δθ| %.3g%n", name,
                moved, difference);
        assertTrue(moved > 1e-4, "the steps moved the weights: " + moved);
        assertTrue(difference <= tolerance, name + ": accumulated vs whole batch " + difference);
        assertArrayEquals(micro, train(objective, optimizer, 4, 3), "the same recipe gives the same weights");
    }

    private static Recipe recipe(Unlearning unlearning) {
        return Lethe.recipe("accumulating").model(new GptConfig(0, 2, 32, 2, 48, 0f))
                .data(new FictitiousFacts(6, 0.25, 1, 2, 1, 1))
                .learn(Training.of(30).batchSize(8).accumulate(2))
                .unlearn(unlearning)
                .evaluate(new Evaluation(List.of(Suites.answers()), List.of(Split.FORGET)))
                .seed(5)
                .build();
    }

    @Test
    void theOptionRoundTripsAndAnObjectiveThatIsNoMeanIsRefusedNamingTheStageAndField() {
        Recipe r = recipe(Unlearning.of(Objectives.npo()).batchSize(8).accumulate(4));
        String yaml = Lethe.toYaml(r);
        assertTrue(yaml.contains("accumulate: 4") && yaml.contains("accumulate: 2"), yaml);
        assertEquals(r, Lethe.fromYaml(yaml));

        IllegalArgumentException rmu = assertThrows(IllegalArgumentException.class,
                () -> Unlearning.of(Objectives.rmu()).accumulate(2));
        assertTrue(rmu.getMessage().contains("accumulate: 2 cannot split the objective {rmu:"), rmu.getMessage());
        String bad = Lethe.toYaml(recipe(Unlearning.of(Objectives.rmu()).batchSize(8))).replace("accumulate: 1",
                "accumulate: 4");
        RecipeException e = assertThrows(RecipeException.class, () -> Lethe.fromYaml(bad));
        assertTrue(e.getMessage().contains("unlearn") && e.getMessage().contains("accumulate: 4 cannot split"),
                e.getMessage());
        assertTrue(e.getMessage().matches("(?s).*:\\d+:\\d+: .*"), "names the line: " + e.getMessage());
        IllegalArgumentException tooMany = assertThrows(IllegalArgumentException.class,
                () -> Training.of(3).batchSize(4).accumulate(5));
        assertTrue(tooMany.getMessage().contains("accumulate must be between 1 and the batch size 4"),
                tooMany.getMessage());
    }

    @Test
    void aRecipeWithAccumulationRunsAndEndsAsTheSameRecipeWithout() {
        Recipe with = recipe(Unlearning.of(Objectives.npo()).optimizer(Optimizers.sgd(0.05)).steps(4).batchSize(4)
                .accumulate(2));
        Recipe without = recipe(Unlearning.of(Objectives.npo()).optimizer(Optimizers.sgd(0.05)).steps(4).batchSize(4));
        dev.lethe.result.RunResult a = Runner.of(with).run();
        dev.lethe.result.RunResult b = Runner.of(without).run();
        double nllA = a.value("unlearned", Split.FORGET, "nll");
        double nllB = b.value("unlearned", Split.FORGET, "nll");
        System.out.printf("forget nll after learn (acc 2) + unlearn: with accumulation %.7f, without %.7f%n", nllA, nllB);
        assertEquals(nllB, nllA, 1e-4);
    }

    /** NLL of the forget batch, NaN on a batch of one row (with 5 rows cut in 4: micro-batches 2, 3 and 4). */
    private record NanOnSingleRows(double scale) implements Objective.ExampleMean {
        @Override
        public List<Split> averagedOver() {
            return List.of(Split.FORGET);
        }

        @Override
        public ai.djl.ndarray.NDArray loss(dev.lethe.objective.Step step) {
            double factor = step.batch(Split.FORGET).size() == 1 ? Double.NaN : scale;
            return dev.lethe.model.Scalars.times(step.scores(Split.FORGET).meanNll().mean(), factor);
        }
    }

    @Test
    void aNanInOneMicroBatchRefusesTheStepNamingItAndAFloat16OverflowIsRefusedToo() {
        Map<Split, BatchStream> streams = new EnumMap<>(Split.class);
        streams.put(Split.FORGET, new BatchStream(Encoded.all(TOKENIZER, DATA.get(Split.FORGET)), 5, 11));
        Optimizer sgd = Optimizers.sgd(1e-3);
        try (CausalLm model = CausalLm.initialize(CONFIG, 3, Device.cpu());
                Optimizer.State state = sgd.init(model.weights(), model.manager())) {
            float[] before = model.weights().get("wte.weight").toFloatArray();
            try (MixedPrecision evaluations = MixedPrecision.of(Precision.FLOAT32, model);
                    NDScope scope = new NDScope()) {
                Optimizer.Outcome o = sgd.step(evaluations.oracle(0, 1, () -> model, streams, TOKENIZER,
                        new NanOnSingleRows(1), 4), model.weights(), state, 0, 1, 0);
                assertTrue(!o.applied() && o.problem().equals("loss became NaN"), o.problem());
                assertEquals(" (micro-batch 2 of 4)", evaluations.lastMicroBatches().where());
            }
            assertArrayEquals(before, model.weights().get("wte.weight").toFloatArray());

            // float16 passes: the micro-batches' loss-scaled gradients overflow float16 as the whole batch's would
            try (MixedPrecision half = MixedPrecision.of(Precision.FLOAT16, model); NDScope scope = new NDScope()) {
                Map<Split, BatchStream> two = Map.of(Split.FORGET,
                        new BatchStream(Encoded.all(TOKENIZER, DATA.get(Split.FORGET)), 4, 11));
                Optimizer.Outcome o = sgd.step(half.oracle(0, 1, () -> model, two, TOKENIZER, new NanOnSingleRows(1e9),
                        2), model.weights(), state, 0, 1, 0);
                assertTrue(Double.isFinite(o.loss()), "the float32 loss itself is finite: " + o.loss());
                assertEquals("the update has NaN or infinite entries", o.problem());
                assertEquals(" (accumulated over 2 micro-batches)", half.lastMicroBatches().where());
            }
            assertArrayEquals(before, model.weights().get("wte.weight").toFloatArray());
        }
    }
}
