package dev.lethe.run;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import dev.lethe.Lethe;
import dev.lethe.data.Batch;
import dev.lethe.data.BatchStream;
import dev.lethe.data.Dataset;
import dev.lethe.data.Encoded;
import dev.lethe.data.FictitiousFacts;
import dev.lethe.data.Split;
import dev.lethe.data.Texts;
import dev.lethe.eval.Suites;
import dev.lethe.model.GptConfig;
import dev.lethe.model.Tokenizer;
import dev.lethe.objective.Objectives;
import dev.lethe.result.RunResult;
import dev.lethe.spec.Evaluation;
import dev.lethe.spec.Learn;
import dev.lethe.spec.Recipe;
import dev.lethe.spec.Training;
import dev.lethe.spec.Unlearning;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Training examples longer than the model's context (or a stage's {@code max_length}) are cut at the end, as
 * TOFU's {@code max_length} cuts them; one whose prompt alone fills it is refused naming the stage, split and
 * row. Before this, the built-in GPT failed mid-step ("sequence of N tokens exceeds the context length") and a
 * rotary model silently ran past {@code max_position_embeddings}.
 */
class ContextLengthTest {
    private static final Dataset DATA = new FictitiousFacts(6, 0.25, 1, 2, 1, 0).load(1);
    private static final Tokenizer TOKENIZER = DATA.fitTokenizer();

    @Test
    void aCutExampleKeepsItsBeginningAndLosesItsClosingEos() {
        Encoded e = new Encoded(new int[] {5, 6}, new int[] {7, 8, 9, 10});
        assertEquals(7, e.inputLength());
        assertEquals(e, e.cut(7), "an example that fits is itself");
        Encoded cut = e.cut(4);
        assertArrayEquals(new int[] {7, 8}, cut.answer());
        assertFalse(cut.closed());
        assertEquals(4, cut.inputLength());
        assertEquals(2, cut.answerTargets());
        assertNull(e.cut(2), "a prompt that fills the input leaves no answer token");
        try (NDManager m = NDManager.newBaseManager()) {
            Batch b = Batch.of(List.of(cut, new Encoded(new int[] {5}, new int[] {7})), TOKENIZER, m);
            int bos = TOKENIZER.bosId();
            int eos = TOKENIZER.eosId();
            int pad = TOKENIZER.padId();
            assertArrayEquals(new long[] {bos, 5, 6, 7, bos, 5, 7, pad}, b.inputs().toLongArray());
            assertArrayEquals(new long[] {5, 6, 7, 8, 5, 7, eos, pad}, b.targets().toLongArray());
            assertArrayEquals(new float[] {0, 0, 1, 1, 0, 1, 1, 0}, b.mask().toType(DataType.FLOAT32, false)
                    .toFloatArray());
        }
        Encoded fitted = e.fit(2);
        assertArrayEquals(new int[] {6}, fitted.prompt(), "scoring keeps the prompt's end");
        assertArrayEquals(new int[] {7}, fitted.answer());
        assertEquals(2, fitted.inputLength());
    }

    @Test
    void trainingStreamsHoldNoExampleLongerThanTheMaxLengthAndRefuseAPromptThatFillsIt() {
        // no real authors: their questions ("In what year was the writer Jane Austen born?") fill 10 tokens alone
        Map<Split, BatchStream> streams = Streams.perSplit("unlearn", 1, DATA, TOKENIZER, 4, 9, Texts.BOTH,
                DATA.get(Split.FORGET), DATA.passages(Split.FORGET));
        int longest = Encoded.all(TOKENIZER, DATA.get(Split.RETAIN)).stream().mapToInt(Encoded::inputLength).max()
                .orElseThrow();
        assertTrue(longest > 9, "some examples are longer than 9 tokens: " + longest);
        for (BatchStream s : streams.values()) {
            for (int d = 0; d < 10; d++) {
                for (Encoded e : s.next()) {
                    assertTrue(e.inputLength() <= 9, "input of " + e.inputLength());
                }
            }
        }
        int shortestPrompt = Encoded.all(TOKENIZER, DATA.get(Split.FORGET)).stream()
                .mapToInt(e -> e.prompt().length).min().orElseThrow();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Streams.perSplit("unlearn", 1, DATA, TOKENIZER, 4, shortestPrompt, Texts.ANSWERS,
                        DATA.get(Split.FORGET), List.of()));
        String question = DATA.get(Split.FORGET).get(0).question();
        assertTrue(e.getMessage().startsWith("stage unlearn, the forget split, row 1: the prompt has "), e.getMessage());
        assertTrue(e.getMessage().contains("max_length") && e.getMessage().endsWith("'" + question + "'"),
                e.getMessage());
    }

    private static Recipe recipe(int context, Training learn) {
        return Lethe.recipe("short-context").model(new GptConfig(0, 2, 32, 2, context, 0f))
                .data(new FictitiousFacts(6, 0.25, 1, 2, 1, 0))
                .stage(Learn.of(learn).withSplits(Split.FORGET, Split.RETAIN, Split.WORLD))
                .unlearn(Unlearning.of(Objectives.npo()).steps(2).batchSize(4).maxLength(9))
                .evaluate(new Evaluation(List.of(Suites.answers()), List.of(Split.FORGET, Split.RETAIN)))
                .seed(2)
                .build();
    }

    @Test
    void aRecipeWhoseExamplesOutgrowTheContextTrainsAndEvaluatesAndMaxLengthRoundTrips() {
        int longest = Encoded.all(TOKENIZER, DATA.get(Split.RETAIN)).stream().mapToInt(Encoded::inputLength).max()
                .orElseThrow();
        Recipe r = recipe(9, Training.of(3).batchSize(8).maxLength(20));
        assertTrue(longest > 9, "examples of up to " + longest + " tokens against a context of 9");
        RunResult result = Runner.of(r).run();
        assertTrue(result.stopReasons().isEmpty(), result.stopReasons().toString());
        assertTrue(Double.isFinite(result.value("unlearned", Split.FORGET, "nll")));
        String yaml = Lethe.toYaml(r);
        assertTrue(yaml.contains("max_length: 20") && yaml.contains("max_length: 9"), yaml);
        assertEquals(r, Lethe.fromYaml(yaml));
        assertFalse(Lethe.toYaml(recipe(9, Training.of(3))).contains("max_length: 20"));

        // a max_length that leaves no answer token is refused before the run, naming the stage, split and row
        Recipe tooShort = Lethe.recipe("too-short").model(new GptConfig(0, 2, 32, 2, 9, 0f))
                .data(new FictitiousFacts(6, 0.25, 1, 2, 1, 0))
                .stage(Learn.of(Training.of(3).batchSize(8)).withSplits(Split.FORGET, Split.RETAIN))
                .unlearn(Unlearning.of(Objectives.npo()).steps(2).batchSize(4).maxLength(2))
                .seed(2)
                .build();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Runner.of(tooShort).run());
        assertTrue(e.getMessage().contains("stage unlearn, the forget split, row 1: the prompt has"), e.getMessage());
    }
}
