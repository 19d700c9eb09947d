package dev.lethe.run;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
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
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The step's hidden states (the input of RMU, Li et al. 2024, "The WMDP Benchmark", §5) come from the very
 * forward pass its scores use, equal a plain forward pass's, and carry the graph back to the weights.
 */
class StepContextHiddenTest {

    @Test
    void hiddenStatesShareTheScoresForwardPassAndMatchTheModel() {
        Dataset data = new FictitiousFacts(8, 0.5, 1, 3, 1, 1).load(2);
        Tokenizer tokenizer = data.fitTokenizer();
        List<Encoded> encoded = new ArrayList<>();
        data.get(Split.FORGET).forEach(e -> encoded.add(Encoded.of(tokenizer, e.question(), e.answer())));
        GptConfig config = new GptConfig(tokenizer.vocabSize(), 2, 16, 2, 64, 0f);
        try (CausalLm model = CausalLm.initialize(config, 1, Device.cpu()); CausalLm reference = model.frozenCopy();
                NDScope scope = new NDScope()) {
            StepContext ctx = new StepContext(0, 1, model, () -> reference,
                    Map.of(Split.FORGET, new BatchStream(encoded, 4, 7)), tokenizer, step -> {
                        NDArray h = step.hidden(Split.FORGET, 2);
                        assertSame(step.scores(Split.FORGET).output().hiddenStates().get(2), h,
                                "one forward pass for scores and hidden states");
                        assertSame(h, step.hidden(Split.FORGET, 2), "cached within the evaluation");
                        NDArray plain = model.forward(step.batch(Split.FORGET).inputs(), false, true).hidden(2);
                        assertArrayEquals(plain.toFloatArray(), h.toFloatArray(), 0f);
                        NDArray ref = step.referenceHidden(Split.FORGET, 1);
                        assertArrayEquals(reference.forward(step.batch(Split.FORGET).inputs(), false, true).hidden(1).toFloatArray(),
                                ref.toFloatArray(), 0f);
                        assertArrayEquals(new long[] {4, step.batch(Split.FORGET).inputs().getShape().get(1), 16},
                                h.getShape().getShape());
                        assertThrows(IllegalArgumentException.class, () -> step.hidden(Split.FORGET, 3));
                        assertTrue(step.layers() == 2);
                        return step.scores(Split.FORGET).meanNll().mean().add(h.square().mean());
                    });
            var evaluation = ctx.lossAndGradients();
            NDArray g = evaluation.gradients().get("h.1.mlp.c_proj.weight");
            assertTrue(g.abs().sum().getFloat() > 0, "the hidden-state term reaches block 1's weights");
        }
    }
}
