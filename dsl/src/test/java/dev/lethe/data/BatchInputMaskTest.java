package dev.lethe.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import ai.djl.ndarray.NDManager;
import dev.lethe.model.WordTokenizer;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@link Batch#inputMask()}: every real input position ({@code <bos>}, prompt, answer) and no padding, the
 * positions RMU averages over (Li et al. 2024, "The WMDP Benchmark", §5).
 */
class BatchInputMaskTest {

    @Test
    void theInputMaskCoversBosPromptAndAnswerButNotPadding() {
        WordTokenizer tokenizer = WordTokenizer.fit(List.of("a b c d e f"));
        // row 0: prompt 3 tokens, answer 2 -> inputs <bos> p p p a a (6), targets p p a a <eos>
        // row 1: prompt 1 token, answer 1 -> inputs <bos> p a (3), then 3 padding positions
        List<Encoded> examples = List.of(new Encoded(new int[] {5, 6, 7}, new int[] {8, 9}),
                new Encoded(new int[] {5}, new int[] {6}));
        try (NDManager m = NDManager.newBaseManager()) {
            Batch b = Batch.of(examples, tokenizer, m);
            assertArrayEquals(new float[] {0, 0, 0, 1, 1, 1, 0, 1, 1, 0, 0, 0}, b.mask().toFloatArray(),
                    "the answer mask, for contrast");
            assertArrayEquals(new float[] {1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0}, b.inputMask().toFloatArray());
        }
    }
}
