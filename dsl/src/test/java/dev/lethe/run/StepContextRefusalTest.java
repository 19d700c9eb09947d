package dev.lethe.run;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDScope;
import dev.lethe.data.Batch;
import dev.lethe.data.BatchStream;
import dev.lethe.data.Dataset;
import dev.lethe.data.Encoded;
import dev.lethe.data.FictitiousFacts;
import dev.lethe.data.QaExample;
import dev.lethe.data.Refusals;
import dev.lethe.data.Split;
import dev.lethe.model.CausalLm;
import dev.lethe.model.GptConfig;
import dev.lethe.model.Tokenizer;
import dev.lethe.objective.Step;
import dev.lethe.objective.TokenScores;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The runner's step builds the refusal batch from the very examples of the step's batch: same prompts in
 * the same rows, answers replaced by {@link Refusals#forExample} of the example's position in its split.
 */
class StepContextRefusalTest {

    @Test
    void theRefusalBatchHasTheSamePromptsAndEachExamplesOwnTemplate() {
        Dataset data = new FictitiousFacts(8, 0.5, 1, 3, 1, 1).load(2);
        Tokenizer tokenizer = data.fitTokenizer();
        List<QaExample> forget = data.get(Split.FORGET);
        List<Encoded> encoded = new ArrayList<>();
        forget.forEach(e -> encoded.add(Encoded.of(tokenizer, e.question(), e.answer())));
        GptConfig config = new GptConfig(tokenizer.vocabSize(), 1, 16, 2, 64, 0f);
        int[] checked = new int[1];
        try (CausalLm model = CausalLm.initialize(config, 1, Device.cpu()); CausalLm reference = model.frozenCopy()) {
            BatchStream stream = new BatchStream(encoded, 5, 7);
            for (int s = 0; s < 3; s++) {
                try (NDScope scope = new NDScope()) {
                    StepContext ctx = new StepContext(s, 3, model, () -> reference, Map.of(Split.FORGET, stream),
                            tokenizer, step -> {
                                check(step, tokenizer, forget);
                                checked[0] += step.batch(Split.FORGET).size();
                                return step.refusalScores(Split.FORGET).meanNll().mean();
                            });
                    NDArray loss = ctx.loss();
                    assertTrue(Double.isFinite(loss.getFloat()));
                }
            }
        }
        assertEquals(5 + 5 + 2, checked[0], "12 forget examples in batches of 5: the third batch ends the epoch");
    }

    private static void check(Step step, Tokenizer tokenizer, List<QaExample> forget) {
        Batch batch = step.batch(Split.FORGET);
        Batch refusal = step.refusalBatch(Split.FORGET);
        assertEquals(batch.size(), refusal.size());
        long[] in = batch.inputs().toLongArray();
        float[] mask = batch.mask().toFloatArray();
        long[] refusalIn = refusal.inputs().toLongArray();
        long[] refusalTargets = refusal.targets().toLongArray();
        float[] refusalMask = refusal.mask().toFloatArray();
        int time = (int) batch.inputs().getShape().get(1);
        int refusalTime = (int) refusal.inputs().getShape().get(1);
        for (int r = 0; r < batch.size(); r++) {
            int promptEnd = 0; // inputs[0] is <bos>; the prompt ends where the answer mask starts
            while (mask[r * time + promptEnd] == 0) {
                promptEnd++;
            }
            long[] prompt = Arrays.copyOfRange(in, r * time, r * time + promptEnd + 1);
            assertArrayEquals(prompt, Arrays.copyOfRange(refusalIn, r * refusalTime, r * refusalTime + promptEnd + 1),
                    "row " + r + " keeps its prompt");
            String question = tokenizer.decode(Arrays.stream(prompt).mapToInt(v -> (int) v).toArray());
            int index = -1;
            for (int i = 0; i < forget.size(); i++) {
                if (forget.get(i).question().equals(question)) {
                    index = i;
                }
            }
            assertFalse(index < 0, "no forget question '" + question + "'");
            List<Integer> answer = new ArrayList<>();
            for (int t = 0; t < refusalTime; t++) {
                if (refusalMask[r * refusalTime + t] == 1f) {
                    answer.add((int) refusalTargets[r * refusalTime + t]);
                }
            }
            assertEquals(tokenizer.eosId(), answer.get(answer.size() - 1), "the refusal ends with <eos>");
            assertEquals(Refusals.forExample(index),
                    tokenizer.decode(answer.stream().mapToInt(Integer::intValue).toArray()));
        }
        TokenScores ref = step.referenceRefusalScores(Split.FORGET);
        assertFalse(ref.tokenLogProbs().hasGradient(), "reference scores have no gradient");
    }
}
