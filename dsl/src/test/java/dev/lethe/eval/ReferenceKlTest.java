package dev.lethe.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.lethe.data.Dataset;
import dev.lethe.data.FictitiousFacts;
import dev.lethe.data.Split;
import dev.lethe.model.CausalLm;
import dev.lethe.model.GptConfig;
import dev.lethe.model.Tokenizer;
import org.junit.jupiter.api.Test;

class ReferenceKlTest {

    @Test
    void maskedKlMatchesAHandComputedValue() {
        try (NDManager m = NDManager.newBaseManager()) {
            // batch 1, time 3, vocab 2; position 1 is masked (prompt), so only positions 0 and 2 count.
            NDArray ref = m.create(new float[] {0f, 0f, 5f, -5f, (float) Math.log(3), 0f}, new Shape(1, 3, 2));
            NDArray model = m.create(new float[] {(float) Math.log(3), 0f, 0f, 0f, 0f, 0f}, new Shape(1, 3, 2));
            NDArray mask = m.create(new float[] {1f, 0f, 1f}, new Shape(1, 3));
            ReferenceKl.Total t = ReferenceKl.maskedKl(ref, model, mask);
            // position 0: p = (1/2, 1/2), q = (3/4, 1/4): 1/2 ln(2/3) + 1/2 ln 2
            double first = 0.5 * Math.log(0.5 / 0.75) + 0.5 * Math.log(0.5 / 0.25);
            // position 2: p = (3/4, 1/4), q = (1/2, 1/2): 3/4 ln(3/2) + 1/4 ln(1/2)
            double third = 0.75 * Math.log(0.75 / 0.5) + 0.25 * Math.log(0.25 / 0.5);
            assertEquals(first + third, t.sum(), 1e-6);
            assertEquals(2.0, t.tokens(), 0.0);
        }
    }

    @Test
    void aModelIsAtZeroFromItselfAndTheMeanPoolsTokensAcrossBatches() {
        Dataset data = new FictitiousFacts(6, 0.5, 2, 3, 2, 2).load(1);
        Tokenizer tokenizer = data.fitTokenizer();
        GptConfig config = new GptConfig(tokenizer.vocabSize(), 1, 16, 2, 32, 0f);
        try (CausalLm a = CausalLm.initialize(config, 1, Device.cpu());
                CausalLm b = CausalLm.initialize(config, 2, Device.cpu())) {
            var forget = data.get(Split.FORGET);
            assertEquals(0.0, ReferenceKl.meanKl(a, a, tokenizer, forget, 4), 1e-6);
            double pooled = ReferenceKl.meanKl(a, b, tokenizer, forget, 100);
            assertEquals(pooled, ReferenceKl.meanKl(a, b, tokenizer, forget, 1), 1e-5,
                    "a per-token mean, not a mean of batch means");
            assertTrue(pooled > 0, "two differently initialised models differ");
        }
    }
}
