package dev.lethe.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import dev.lethe.model.CausalLm;
import dev.lethe.model.GptConfig;
import dev.lethe.model.LlamaConfig;
import dev.lethe.model.ModelSpec;
import dev.lethe.model.TinyGpt2;
import dev.lethe.model.WordTokenizer;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Batched evaluation changes no row's result: rows of different lengths scored together ({@link AnswerScorer},
 * right-padded) get the log-probabilities each gets alone, and prompts decoded together ({@link GreedyDecoder},
 * left-padded with positions from each row's first real token) get the tokens each gets alone, for the
 * built-in GPT and a Llama-family (rotary) model. A prompt longer than the context is cut from the left.
 */
class BatchPaddingTest {
    /** Words "w0" .. "w39". */
    private static final WordTokenizer TOKENIZER = WordTokenizer.fit(
            List.of(String.join(" ", IntStream.range(0, 40).mapToObj(i -> "w" + i).toList())));

    static Stream<Arguments> models() {
        return Stream.of(
                Arguments.of("gpt", new GptConfig(TOKENIZER.vocabSize(), 2, 32, 2, 24, 0f)),
                Arguments.of("llama", LlamaConfig.of("llama", TOKENIZER.vocabSize(), 32, 48, 2, 4, 2)
                        .withMaxPositions(24).withNormAndInit(1e-6, 0.3)));
    }

    private static CausalLm model(ModelSpec spec) {
        return spec instanceof GptConfig gpt ? TinyGpt2.peaked(gpt, 4) : CausalLm.initialize(spec, 4, Device.cpu());
    }

    private static String words(int... ids) {
        return String.join(" ", IntStream.of(ids).mapToObj(i -> "w" + i).toList());
    }

    private static final List<String> PROMPTS = List.of(words(3), words(7, 1, 30, 22, 9, 14),
            words(9, 9, 12, 5, 30, 2, 18, 4, 11, 25), words(16, 2));
    private static final List<String> ANSWERS = List.of(words(5, 6, 7, 8, 1, 2), words(2), words(33, 34, 35),
            words(1, 1, 1, 1));

    @ParameterizedTest(name = "{0}")
    @MethodSource("models")
    void rowsScoredInOneBatchGetTheLogProbsTheyGetAlone(String name, ModelSpec spec) {
        try (CausalLm model = model(spec)) {
            List<TokenLogProbs> batch = new AnswerScorer(model, TOKENIZER, 4).score(PROMPTS, ANSWERS);
            double max = 0;
            for (int r = 0; r < PROMPTS.size(); r++) {
                TokenLogProbs alone = new AnswerScorer(model, TOKENIZER, 1)
                        .score(List.of(PROMPTS.get(r)), List.of(ANSWERS.get(r))).get(0);
                assertEquals(alone.logProbs().length, batch.get(r).logProbs().length);
                for (int t = 0; t < alone.logProbs().length; t++) {
                    max = Math.max(max, Math.abs(alone.logProbs()[t] - batch.get(r).logProbs()[t]));
                }
            }
            System.out.printf("%s: answers scored in a batch of 4 vs alone, max |Δ log p| %.3g%n", name, max);
            assertTrue(max <= 1e-5, name + ": " + max);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("models")
    void promptsDecodedInOneBatchGetTheTokensTheyGetAloneAndALongPromptIsCutFromTheLeft(String name,
            ModelSpec spec) {
        try (CausalLm model = model(spec)) {
            GreedyDecoder batched = new GreedyDecoder(model, TOKENIZER, 4);
            List<String> together = batched.decode(PROMPTS, 8);
            List<String> recomputed = batched.withoutCache().decode(PROMPTS, 8);
            for (int r = 0; r < PROMPTS.size(); r++) {
                String alone = new GreedyDecoder(model, TOKENIZER, 1).decode(List.of(PROMPTS.get(r)), 8).get(0);
                assertEquals(alone, together.get(r), name + " prompt " + r);
                assertEquals(alone, recomputed.get(r), name + " prompt " + r + " recomputed");
            }
            assertEquals(0, batched.truncatedPrompts());

            List<Integer> ids = new ArrayList<>();
            for (int i = 0; i < 30; i++) {
                ids.add((i * 7) % 40);
            }
            String longPrompt = words(ids.stream().mapToInt(Integer::intValue).toArray());
            GreedyDecoder decoder = new GreedyDecoder(model, TOKENIZER, 2);
            List<String> out = decoder.decode(List.of(longPrompt, PROMPTS.get(0)), 8);
            assertEquals(1, decoder.truncatedPrompts(), "the 31-token prompt outgrows the context of 24");
            // kept: <bos> and the last max(24 / 2, 24 − 8) − 1 = 15 words
            String kept = words(ids.subList(15, 30).stream().mapToInt(Integer::intValue).toArray());
            assertEquals(new GreedyDecoder(model, TOKENIZER, 1).decode(List.of(kept), 8).get(0), out.get(0));
            assertEquals(together.get(0), out.get(1));
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("models")
    void aPairLongerThanTheContextIsScoredOnTheTokensItKeeps(String name, ModelSpec spec) {
        int[] answerIds = IntStream.range(0, 20).map(i -> (i * 3) % 40).toArray();
        String prompt = PROMPTS.get(2);
        try (CausalLm model = model(spec)) {
            AnswerScorer scorer = new AnswerScorer(model, TOKENIZER, 2);
            // <bos> + 10 prompt words + 20 answer words = 31 > 24: the answer keeps 24 − 10 = 14 words, no <eos>
            TokenLogProbs cut = scorer.score(List.of(prompt), List.of(words(answerIds))).get(0);
            assertEquals(14, cut.logProbs().length);
            // its first 13 words fit whole: 13 targets and the closing <eos>, scored as the cut pair scores them
            TokenLogProbs kept = scorer.score(List.of(prompt),
                    List.of(words(java.util.Arrays.copyOf(answerIds, 13)))).get(0);
            assertEquals(14, kept.logProbs().length, "13 words and the closing <eos>");
            for (int t = 0; t < 13; t++) {
                assertEquals(kept.logProbs()[t], cut.logProbs()[t], 1e-5, name + " token " + t);
            }
        }
    }
}
