package dev.lethe.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.GradientCollector;
import java.util.Arrays;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Generation with and without the KV cache on a tiny GPT-2 whose distributions are peaked. */
class GeneratorTest {
    /** Words "t0x" .. "t59x": none is a substring of another, so a stop string matches one token only. */
    private static final WordTokenizer TOKENIZER = WordTokenizer.fit(
            List.of(String.join(" ", IntStream.range(0, 60).mapToObj(i -> "t" + i + "x").toList())));
    private static CausalLm model;
    private static Generator generator;

    @BeforeAll
    static void model() {
        model = TinyGpt2.peaked(new GptConfig(TOKENIZER.vocabSize(), 2, 32, 2, 64, 0f), 11);
        generator = new Generator(model, TOKENIZER);
    }

    @AfterAll
    static void close() {
        model.close();
    }

    private static int[] prompt(int... words) {
        int[] ids = new int[words.length + 1];
        ids[0] = TOKENIZER.bosId();
        for (int i = 0; i < words.length; i++) {
            ids[i + 1] = TOKENIZER.encode("t" + words[i] + "x")[0];
        }
        return ids;
    }

    private static final List<int[]> PROMPTS = List.of(prompt(3), prompt(7, 1, 40, 22), prompt(9, 9, 12, 5, 30, 2, 18, 44));

    private static int[] alone(int[] prompt, Generation options) {
        return generator.generate(List.of(prompt), options).get(0);
    }

    @Test
    void cachedGreedyDecodingGivesTheRecomputedTokensForFortyTokens() {
        int[] cached = alone(PROMPTS.get(1), Generation.greedy(40));
        int[] recomputed = alone(PROMPTS.get(1), Generation.greedy(40).withCache(false));
        assertEquals(40, cached.length);
        assertArrayEquals(recomputed, cached);
        assertTrue(Arrays.stream(cached).distinct().count() > 3, "a varied continuation: " + Arrays.toString(cached));
    }

    @Test
    void aLeftPaddedBatchGivesEachPromptTheTokensItGetsAlone() {
        List<int[]> batch = generator.generate(PROMPTS, Generation.greedy(20));
        List<int[]> recomputed = generator.generate(PROMPTS, Generation.greedy(20).withCache(false));
        for (int r = 0; r < PROMPTS.size(); r++) {
            int[] solo = alone(PROMPTS.get(r), Generation.greedy(20));
            assertArrayEquals(solo, batch.get(r), "prompt " + r);
            assertArrayEquals(solo, recomputed.get(r), "prompt " + r + " recomputed");
        }
    }

    /** The first index from which {@code id} occurs in {@code tokens}, or -1. */
    private static int indexOf(int[] tokens, int id) {
        for (int i = 0; i < tokens.length; i++) {
            if (tokens[i] == id) {
                return i;
            }
        }
        return -1;
    }

    /** A token of {@code row}'s continuation at index ≥ 2 that occurs in no other continuation and not before it. */
    private static int onlyIn(List<int[]> continuations, int row) {
        int[] mine = continuations.get(row);
        for (int i = 2; i < mine.length; i++) {
            int id = mine[i];
            boolean elsewhere = indexOf(mine, id) < i;
            for (int r = 0; r < continuations.size(); r++) {
                elsewhere |= r != row && indexOf(continuations.get(r), id) >= 0;
            }
            if (!elsewhere) {
                return id;
            }
        }
        throw new AssertionError("no token only in row " + row + ": pick other prompts");
    }

    @Test
    void anEosStopsOnlyTheSequencesThatReachIt() {
        for (boolean cached : new boolean[] {true, false}) {
            Generation greedy = Generation.greedy(16).withCache(cached);
            List<int[]> free = generator.generate(PROMPTS, greedy);
            int eos = onlyIn(free, 1);
            int other = onlyIn(free, 2);
            List<int[]> stopped = generator.generate(PROMPTS, greedy.withEos(eos, other));
            assertArrayEquals(free.get(0), stopped.get(0), "row 0 never meets either eos");
            assertArrayEquals(Arrays.copyOf(free.get(1), indexOf(free.get(1), eos)), stopped.get(1),
                    "row 1 stops before its eos");
            assertArrayEquals(Arrays.copyOf(free.get(2), indexOf(free.get(2), other)), stopped.get(2),
                    "row 2 stops before the other eos");
        }
    }

    @Test
    void aStopStringStopsOnlyTheSequenceWhoseTextContainsItAndKeepsItsTokens() {
        List<int[]> free = generator.generate(PROMPTS, Generation.greedy(16));
        int stop = onlyIn(free, 0);
        String word = TOKENIZER.decode(new int[] {stop});
        List<int[]> stopped = generator.generate(PROMPTS, Generation.greedy(16).withStopStrings("zzz", word));
        assertArrayEquals(Arrays.copyOf(free.get(0), indexOf(free.get(0), stop) + 1), stopped.get(0));
        assertArrayEquals(free.get(1), stopped.get(1));
        assertArrayEquals(free.get(2), stopped.get(2));
        assertTrue(TOKENIZER.decode(stopped.get(0)).endsWith(word));
    }

    @Test
    void topKOfOneAndATinyTemperatureSampleTheGreedyTokens() {
        List<int[]> greedy = generator.generate(PROMPTS, Generation.greedy(24));
        List<int[]> topOne = generator.generate(PROMPTS, Generation.sampling(24, 5).withTopK(1));
        List<int[]> cold = generator.generate(PROMPTS, Generation.sampling(24, 6).withTemperature(1e-4));
        List<int[]> coldRecomputed = generator.generate(PROMPTS,
                Generation.sampling(24, 6).withTemperature(1e-4).withCache(false));
        for (int r = 0; r < PROMPTS.size(); r++) {
            assertArrayEquals(greedy.get(r), topOne.get(r), "top-k 1, prompt " + r);
            assertArrayEquals(greedy.get(r), cold.get(r), "temperature 1e-4, prompt " + r);
            assertArrayEquals(greedy.get(r), coldRecomputed.get(r), "temperature 1e-4 recomputed, prompt " + r);
        }
    }

    @Test
    void theSameSeedSamplesTheSameTokensWithOrWithoutTheCacheAndAnotherSeedOthers() {
        Generation warm = Generation.sampling(30, 21).withTemperature(2).withTopP(0.95);
        List<int[]> first = generator.generate(PROMPTS, warm);
        List<int[]> again = generator.generate(PROMPTS, warm);
        List<int[]> recomputed = generator.generate(PROMPTS, warm.withCache(false));
        List<int[]> other = generator.generate(PROMPTS, warm.withSeed(22));
        List<int[]> greedy = generator.generate(PROMPTS, Generation.greedy(30));
        for (int r = 0; r < PROMPTS.size(); r++) {
            assertArrayEquals(first.get(r), again.get(r), "prompt " + r);
            assertArrayEquals(first.get(r), recomputed.get(r), "prompt " + r + " recomputed");
        }
        assertFalse(IntStream.range(0, 3).allMatch(r -> Arrays.equals(first.get(r), other.get(r))), "seed 22 differs");
        assertFalse(IntStream.range(0, 3).allMatch(r -> Arrays.equals(first.get(r), greedy.get(r))), "not greedy");
    }

    @Test
    void generationStopsAtTheContextLengthAndRefusesPromptsThatDoNotFit() {
        int[] long60 = new int[60];
        Arrays.fill(long60, TOKENIZER.encode("t4x")[0]);
        assertEquals(4, alone(long60, Generation.greedy(10)).length, "64 - 60 tokens fit");
        assertArrayEquals(alone(long60, Generation.greedy(10).withCache(false)), alone(long60, Generation.greedy(10)));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> generator.generate(List.of(new int[65]), Generation.greedy(1)));
        assertTrue(e.getMessage().contains("prompt 0 has 65 tokens"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Generation.sampling(4, 1).withTopP(0));
        assertThrows(IllegalArgumentException.class, () -> Generation.sampling(4, 1).withTemperature(0));
        IllegalArgumentException noTokenizer = assertThrows(IllegalArgumentException.class,
                () -> new Generator(model).generate(PROMPTS, Generation.greedy(2).withStopStrings(".")));
        assertTrue(noTokenizer.getMessage().contains("need a tokenizer"), noTokenizer.getMessage());
    }

    /**
     * The arrays the model's manager holds are counted each time a step checks the stop strings (the
     * tokenizer decodes then): the count stays flat over a 60-token generation, and nothing stays behind.
     */
    @Test
    void aLongGenerationKeepsItsArrayCountFlatAndLeavesNoArrayBehind() {
        int before = model.manager().getManagedArrays().size();
        List<Integer> counts = new java.util.ArrayList<>();
        Tokenizer counting = new Watching(() -> counts.add(model.manager().getManagedArrays().size()));
        List<int[]> out = new Generator(model, counting).generate(List.of(PROMPTS.get(0)),
                Generation.sampling(60, 3).withTopK(20).withStopStrings("never"));
        assertEquals(60, out.get(0).length);
        assertEquals(60, counts.size());
        assertEquals(counts.get(1), counts.get(59), "arrays held at step 1 and step 59: " + counts);
        assertEquals(before, model.manager().getManagedArrays().size());
        assertEquals(List.of(), generator.generate(List.of(), Generation.greedy(3)));
    }

    @Test
    void generationInsideAGradientCollectorRecordsNoGraphAndGivesTheSameTokens() {
        List<Boolean> recording = new java.util.ArrayList<>();
        Generator watched = new Generator(model, new Watching(() -> recording.add(JniUtils.isGradMode())));
        Generation options = Generation.greedy(8).withStopStrings("never");
        List<int[]> plain = watched.generate(PROMPTS, options);
        try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
            assertTrue(JniUtils.isGradMode());
            List<int[]> inside = watched.generate(PROMPTS, options);
            assertTrue(JniUtils.isGradMode(), "the collector's grad mode is restored");
            for (int r = 0; r < PROMPTS.size(); r++) {
                assertArrayEquals(plain.get(r), inside.get(r));
            }
        }
        assertFalse(recording.isEmpty());
        assertFalse(recording.contains(true), "grad mode during generation: " + recording);
    }

    /** {@link #TOKENIZER}, running {@code onDecode} each time it decodes (a generator checking stop strings). */
    private static final class Watching extends ForwardingTokenizer {
        private final Runnable onDecode;

        Watching(Runnable onDecode) {
            super(TOKENIZER);
            this.onDecode = onDecode;
        }

        @Override
        public String decode(int[] ids) {
            onDecode.run();
            return super.decode(ids);
        }
    }
}
