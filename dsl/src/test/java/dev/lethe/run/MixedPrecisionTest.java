package dev.lethe.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.lethe.Lethe;
import dev.lethe.adapter.Lora;
import dev.lethe.data.BatchStream;
import dev.lethe.data.Dataset;
import dev.lethe.data.Encoded;
import dev.lethe.data.FictitiousFacts;
import dev.lethe.data.Split;
import dev.lethe.eval.Suites;
import dev.lethe.model.CausalLm;
import dev.lethe.model.GptConfig;
import dev.lethe.model.Precision;
import dev.lethe.model.Scalars;
import dev.lethe.model.Tokenizer;
import dev.lethe.objective.Objective;
import dev.lethe.objective.Objectives;
import dev.lethe.optim.LossOracle;
import dev.lethe.optim.Optimizer;
import dev.lethe.optim.Optimizers;
import dev.lethe.result.RunResult;
import dev.lethe.spec.Evaluation;
import dev.lethe.spec.Recipe;
import dev.lethe.spec.Training;
import dev.lethe.spec.Unlearning;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Float16 mixed precision (Micikevicius et al. 2018): float16 passes on copies of float32 master weights,
 * static loss scaling, float32 gradients and optimizer state. Runs on the CPU for tiny models; meant for GPUs.
 */
class MixedPrecisionTest {
    private static final Dataset DATA = new FictitiousFacts(8, 0.5, 1, 3, 1, 1).load(2);
    private static final Tokenizer TOKENIZER = DATA.fitTokenizer();
    private static final GptConfig CONFIG = new GptConfig(TOKENIZER.vocabSize(), 2, 16, 2, 64, 0f);

    private static Map<Split, BatchStream> forget() {
        List<Encoded> encoded = new ArrayList<>();
        DATA.get(Split.FORGET).forEach(e -> encoded.add(Encoded.of(TOKENIZER, e.question(), e.answer())));
        return Map.of(Split.FORGET, new BatchStream(encoded, 4, 7));
    }

    /**
     * Float16 keeps 11 significant bits (unit roundoff u = 2⁻¹¹ ≈ 4.9e-4). A two-block pass rounds every
     * product, sum, layer norm and softmax again and the errors add up along the residual stream, so the
     * bound is 10u ≈ 0.5 % of the largest logit (measured: 2.3e-4 of 0.37, about 1.3u). A missing cast or
     * scale would be off by orders of magnitude; an error of exactly 0 would mean the pass did not run in
     * float16.
     */
    @Test
    void aFloat16ForwardPassGivesTheFloat32LogitsWithinFloat16Rounding() {
        try (CausalLm model = CausalLm.initialize(CONFIG, 3, Device.cpu());
                CausalLm half = model.castCopy(Precision.FLOAT16);
                NDManager m = NDManager.newBaseManager();
                NDScope scope = new NDScope()) {
            assertEquals(DataType.FLOAT16, half.weights().get("h.0.attn.c_attn.weight").getDataType());
            NDArray tokens = m.create(new long[] {2, 5, 9, 4, 11, 3, 8, 1, 7, 6, 12, 2, 4, 9, 10, 5}, new Shape(2, 8));
            NDArray exact = model.forward(tokens).logits();
            NDArray mixed = half.forward(tokens).logits();
            assertEquals(DataType.FLOAT32, mixed.getDataType(), "log-softmax and objectives see float32 logits");
            float scale = exact.abs().max().getFloat();
            float error = exact.sub(mixed).abs().max().getFloat();
            assertTrue(error <= 0.005f * scale, "max |Δlogit| " + error + " vs largest logit " + scale);
            assertTrue(error > 0, "the float16 pass rounds differently from the float32 one");
        }
    }

    /**
     * The same 10u bound for each gradient (measured: 6.4e-4 relative for the token embedding), whose backward
     * pass ran in float16 on a loss scaled by 1024: a missing division by the scale would be 1024 times off.
     */
    @Test
    void theMixedGradientIsTheFloat32GradientWithinFloat16Rounding() {
        try (CausalLm model = CausalLm.initialize(CONFIG, 5, Device.cpu()); CausalLm reference = model.frozenCopy();
                MixedPrecision mixed = MixedPrecision.of(Precision.FLOAT16, model);
                NDScope scope = new NDScope()) {
            Objective nll = Objectives.nll(Split.FORGET);
            LossOracle.Evaluation exact = new StepContext(0, 1, model, () -> reference, forget(), TOKENIZER, nll)
                    .lossAndGradients();
            LossOracle.Evaluation half = mixed.oracle(0, 1, () -> reference, forget(), TOKENIZER, nll)
                    .lossAndGradients();
            assertEquals(exact.loss().getFloat(), half.loss().getFloat(), 0.005 * exact.loss().getFloat(),
                    "the loss is returned unscaled");
            for (String name : List.of("wte.weight", "h.0.attn.c_attn.weight", "h.1.mlp.c_proj.weight", "ln_f.bias")) {
                NDArray g = exact.gradients().get(name);
                NDArray h = half.gradients().get(name);
                assertEquals(DataType.FLOAT32, h.getDataType(), name);
                float error = g.sub(h).norm().getFloat();
                float size = g.norm().getFloat();
                assertTrue(size > 0 && error <= 0.005f * size, name + ": |Δg| " + error + " vs |g| " + size);
            }
        }
    }

    @Test
    void float16FirstOrderStepsLowerTheLossAndUpdateFloat32Masters() {
        try (CausalLm model = CausalLm.initialize(CONFIG, 5, Device.cpu()); CausalLm reference = model.frozenCopy();
                MixedPrecision mixed = MixedPrecision.of(Precision.FLOAT16, model)) {
            Optimizer adamW = Optimizers.adamW(1e-2);
            Map<Split, BatchStream> streams = Map.of(Split.FORGET, new BatchStream(batchOfFour(), 4, 7));
            float[] before = model.weights().get("h.1.mlp.c_fc.weight").toFloatArray();
            List<Double> losses = new ArrayList<>();
            try (Optimizer.State state = adamW.init(model.weights(), model.manager())) {
                for (long s = 0; s < 8; s++) {
                    try (NDScope scope = new NDScope()) {
                        Optimizer.Outcome o = adamW.step(mixed.oracle(s, 8, () -> reference, streams, TOKENIZER,
                                Objectives.nll(Split.FORGET)), model.weights(), state, s, 8, s);
                        assertTrue(o.applied(), String.valueOf(o.problem()));
                        losses.add(o.loss());
                    }
                }
            }
            // the same four examples every step: the NLL must fall
            assertTrue(losses.get(7) < losses.get(0) - 0.5, "losses " + losses);
            model.weights().forEach((name, w) -> assertEquals(DataType.FLOAT32, w.getDataType(), name));
            assertFalse(Arrays.equals(before, model.weights().get("h.1.mlp.c_fc.weight").toFloatArray()),
                    "the float32 masters were updated");
        }
    }

    /** A gradient beyond float16's range (65 504) is infinite there; the step must be refused, masters unchanged. */
    @Test
    void anOverflowingFloat16GradientRefusesTheStepAndKeepsTheWeights() {
        try (CausalLm model = CausalLm.initialize(CONFIG, 5, Device.cpu()); CausalLm reference = model.frozenCopy();
                MixedPrecision mixed = MixedPrecision.of(Precision.FLOAT16, model)) {
            Optimizer sgd = Optimizers.sgd(1e-3);
            Objective huge = step -> Scalars.times(step.scores(Split.FORGET).meanNll().mean(), 1e9);
            float[] before = model.weights().get("wte.weight").toFloatArray();
            try (Optimizer.State state = sgd.init(model.weights(), model.manager()); NDScope scope = new NDScope()) {
                Optimizer.Outcome o = sgd.step(mixed.oracle(0, 1, () -> reference, forget(), TOKENIZER, huge),
                        model.weights(), state, 0, 1, 0);
                assertFalse(o.applied());
                assertTrue(Double.isFinite(o.loss()), "the float32 loss itself is finite: " + o.loss());
                assertEquals("the update has NaN or infinite entries", o.problem());
            }
            assertTrue(Arrays.equals(before, model.weights().get("wte.weight").toFloatArray()));
        }
    }

    private static Recipe recipe(Unlearning unlearning) {
        return Lethe.recipe("half").model(new GptConfig(0, 2, 16, 2, 32, 0f))
                .data(new FictitiousFacts(8, 0.25, 2, 3, 2, 2))
                .learn(Training.of(20).batchSize(8))
                .unlearn(unlearning)
                .evaluate(new Evaluation(List.of(Suites.answers()), List.of(Split.FORGET)))
                .seed(4)
                .build();
    }

    @Test
    void aFloat16RecipeRunsRoundTripsAndStopsNothing() {
        Recipe r = recipe(Unlearning.of(Objectives.npo()).steps(3).batchSize(4).precision(Precision.FLOAT16));
        assertTrue(Lethe.toYaml(r).contains("precision: float16"), Lethe.toYaml(r));
        assertEquals(r, Lethe.fromYaml(Lethe.toYaml(r)));
        RunResult result = Runner.of(r).run();
        assertTrue(result.stopReasons().isEmpty(), result.stopReasons().toString());
        assertTrue(Double.isFinite(result.value("unlearned", Split.FORGET, "nll")));
    }

    @Test
    void thereIsNoBfloat16AndFloat16RefusesAdapters() {
        assertEquals(Set.of(Precision.FLOAT32, Precision.FLOAT16), Set.of(Precision.values()));
        String yaml = Lethe.toYaml(recipe(Unlearning.of(Objectives.npo())));
        assertTrue(yaml.contains("precision: float32"), yaml);
        IllegalArgumentException bf16 = assertThrows(IllegalArgumentException.class, () -> Lethe.fromYaml(
                yaml.replace("precision: float32", "precision: bfloat16")));
        assertTrue(bf16.getMessage().contains("bfloat16"), bf16.getMessage());
        IllegalArgumentException adapters = assertThrows(IllegalArgumentException.class,
                () -> Unlearning.of(Objectives.npo()).adapters(Lora.rank(2)).precision(Precision.FLOAT16));
        assertTrue(adapters.getMessage().contains("adapters"), adapters.getMessage());
    }

    private static List<Encoded> batchOfFour() {
        List<Encoded> encoded = new ArrayList<>();
        DATA.get(Split.FORGET).subList(0, 4).forEach(e -> encoded.add(Encoded.of(TOKENIZER, e.question(), e.answer())));
        return encoded;
    }
}
