package dev.lethe.eval;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import dev.lethe.data.MultipleChoice;
import dev.lethe.data.QaExample;
import dev.lethe.data.Split;
import dev.lethe.data.SplitData;
import dev.lethe.model.CausalLm;
import dev.lethe.model.GptConfig;
import dev.lethe.model.WordTokenizer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class MultipleChoiceSuiteTest {

    @Test
    void summedAndLengthNormalisedLogLikelihoodPickDifferentOptions() {
        List<MultipleChoice> choices = List.of(
                new MultipleChoice("q1", List.of("a", "b", "c", "d"), 0, "", ""),
                new MultipleChoice("q2", List.of("a", "b"), 1, "", ""),
                new MultipleChoice("q3", List.of("a", "b", "c"), 2, "", ""));
        List<List<double[]>> logProbs = List.of(
                // sums -3, -2.5, -4, -4 -> option 1 (wrong); means -1, -2.5, -4, -2 -> option 0 (right)
                List.of(new double[] {-1, -1, -1}, new double[] {-2.5}, new double[] {-4}, new double[] {-0.5, -3.5}),
                // sums -4, -2; means -2, -1 -> option 1 either way (right)
                List.of(new double[] {-2, -2}, new double[] {-1, -1}),
                // all tied -> the first option (wrong)
                List.of(new double[] {-1}, new double[] {-1}, new double[] {-1}));
        List<MetricValue> m = MultipleChoiceSuite.accuracies(choices, logProbs);
        assertEquals("mc_accuracy", m.get(0).name());
        assertEquals(1.0 / 3, m.get(0).value(), 1e-12);
        assertArrayEquals(new double[] {0, 1, 0}, m.get(0).perExample());
        assertEquals("mc_accuracy_norm", m.get(1).name());
        assertEquals(2.0 / 3, m.get(1).value(), 1e-12);
        assertArrayEquals(new double[] {1, 1, 0}, m.get(1).perExample());
    }

    @Test
    void onAModelEachQuestionIsRightWhenItsCorrectOptionHasTheLargestSummedLogLikelihood() {
        List<MultipleChoice> choices = List.of(
                new MultipleChoice("Where does Kalo live?", List.of("Torvel", "Sadri Works", "Mirel"), 0, "Kalo", "city"),
                new MultipleChoice("Where does Ren live?", List.of("Torvel", "Mirel"), 1, "Ren", "city"),
                new MultipleChoice("What does Ren play?", List.of("the cello", "oboe", "harp"), 2, "Ren", "instrument"));
        List<String> texts = new ArrayList<>();
        choices.forEach(c -> {
            texts.add(c.question());
            texts.addAll(c.options());
        });
        WordTokenizer tokenizer = WordTokenizer.fit(texts);
        try (CausalLm model = CausalLm.initialize(new GptConfig(tokenizer.vocabSize(), 1, 16, 2, 16, 0f), 3,
                Device.cpu())) {
            SplitData data = new SplitData(Split.FORGET, List.of(), List.of(), choices);
            List<MetricValue> m = Suites.multipleChoice().evaluate(model, tokenizer, data);
            AnswerScorer scorer = new AnswerScorer(model, tokenizer, 2);
            double right = 0;
            for (int i = 0; i < choices.size(); i++) {
                MultipleChoice c = choices.get(i);
                double[] sums = new double[c.options().size()];
                for (int o = 0; o < sums.length; o++) {
                    for (double lp : scorer.score(List.of(c.question()), List.of(c.options().get(o))).get(0).logProbs()) {
                        sums[o] += lp;
                    }
                }
                double hit = MultipleChoiceSuite.argmax(sums) == c.answer() ? 1 : 0;
                assertEquals(hit, m.get(0).perExample()[i], "question " + i);
                right += hit;
            }
            assertEquals(right / 3, m.get(0).value(), 1e-12);
            assertTrue(Suites.multipleChoice().evaluate(model, tokenizer,
                    SplitData.of(Split.RETAIN, List.of(new QaExample("q", "a", "q", "a", List.of(), "", "")))).isEmpty(),
                    "a split without choices gives no metric");
        }
    }

    // ---- format: lettered (lm-evaluation-harness's WMDP and MMLU prompt) ----

    @Test
    void theLetteredPromptIsTheHarnessesByteForByte() {
        MultipleChoice wmdp = new MultipleChoice("  Which organelle makes most of a cell's ATP?\n",
                List.of("Nucleus", "Ribosome", "Mitochondrion", " Golgi apparatus"), 2, "biology", "");
        String expected = "The following are multiple choice questions (with answers) about biology.\n\n"
                + "Which organelle makes most of a cell's ATP?\nA. Nucleus\nB. Ribosome\nC. Mitochondrion\n"
                + "D.  Golgi apparatus\nAnswer:";
        assertArrayEquals(expected.getBytes(StandardCharsets.UTF_8),
                MultipleChoiceSuite.letteredPrompt(wmdp).getBytes(StandardCharsets.UTF_8));
        // MMLU: the subject's underscores read as spaces; Python's strip also removes U+00A0
        MultipleChoice mmlu = new MultipleChoice("\u00a0What is 7 * 8?", List.of("54", "56", "58", "64"), 1,
                "high_school_mathematics", "");
        assertEquals("The following are multiple choice questions (with answers) about high school mathematics.\n\n"
                + "What is 7 * 8?\nA. 54\nB. 56\nC. 58\nD. 64\nAnswer:", MultipleChoiceSuite.letteredPrompt(mmlu));
        // no subject: no "about"; two and five options get A-B and A-E
        assertEquals("The following are multiple choice questions (with answers).\n\nq?\nA. yes\nB. no\nAnswer:",
                MultipleChoiceSuite.letteredPrompt(new MultipleChoice("q?", List.of("yes", "no"), 0, "", "")));
        assertEquals(List.of(" A", " B", " C", " D", " E"), MultipleChoiceSuite.letters(5));
        assertThrows(IllegalArgumentException.class, () -> MultipleChoiceSuite.letters(27));
    }

    @Test
    void theMostLikelyLetterIsThePredictionAndTiesGoToTheFirst() {
        List<MultipleChoice> choices = List.of(
                new MultipleChoice("q1", List.of("a", "b", "c", "d"), 2, "biology", ""),
                new MultipleChoice("q2", List.of("a", "b", "c", "d"), 3, "biology", ""),
                new MultipleChoice("q3", List.of("a", "b", "c"), 1, "", ""),
                new MultipleChoice("q4", List.of("a", "b"), 0, "", ""));
        // log-likelihoods of " A", " B", ... per question
        double[] ll = {
            -1.2, -2.0, -0.4, -3.0,   // q1: C (right)
            -0.7, -0.9, -2.5, -0.8,   // q2: A (wrong: D is -0.8)
            -1.0, -1.0, -1.0,         // q3: a three-way tie -> A (wrong: B)
            -0.5, -0.5};              // q4: a tie -> A (right)
        List<String> seenContexts = new ArrayList<>();
        List<String> seenContinuations = new ArrayList<>();
        MetricValue m = MultipleChoiceSuite.lettered(choices, (contexts, continuations) -> {
            seenContexts.addAll(contexts);
            seenContinuations.addAll(continuations);
            return ll;
        });
        assertEquals("mc_accuracy_lettered", m.name());
        assertArrayEquals(new double[] {1, 0, 0, 1}, m.perExample());
        assertEquals(0.5, m.value(), 1e-15);
        assertEquals(List.of(" A", " B", " C", " D", " A", " B", " C", " D", " A", " B", " C", " A", " B"),
                seenContinuations);
        assertEquals(MultipleChoiceSuite.letteredPrompt(choices.get(0)), seenContexts.get(3));
        assertEquals(MultipleChoiceSuite.letteredPrompt(choices.get(3)), seenContexts.get(12));
        assertThrows(IllegalArgumentException.class,
                () -> MultipleChoiceSuite.lettered(choices, (c, k) -> new double[3]));
    }

    @Test
    void theFormatIsAParameterAndEachFormatNamesItsOwnMetrics() {
        assertEquals(List.of(MultipleChoiceSuite.ACCURACY, MultipleChoiceSuite.ACCURACY_NORM),
                Suites.multipleChoice().metrics());
        assertEquals(List.of(MultipleChoiceSuite.ACCURACY_LETTERED), Suites.multipleChoiceLettered().metrics());
        assertEquals(new MultipleChoiceSuite(64, MultipleChoiceSuite.Format.LETTERED),
                MultipleChoiceSuite.KIND.create(java.util.Map.of("format", MultipleChoiceSuite.Format.LETTERED)));
    }

    @Test
    void onAModelEachLetterIsScoredAsTheLastTokenAfterThePromptWithoutEos() {
        List<MultipleChoice> choices = List.of(
                new MultipleChoice("Where does Kalo live?", List.of("Torvel", "Sadri Works", "Mirel"), 0, "Kalo", ""),
                new MultipleChoice("What does Ren play?", List.of("the cello", "oboe", "harp", "drums"), 2, "music", ""),
                new MultipleChoice("Is Mirel a city?", List.of("yes", "no"), 0, "", ""));
        List<String> texts = new ArrayList<>();
        choices.forEach(c -> texts.add(MultipleChoiceSuite.letteredPrompt(c) + " A B C D"));
        WordTokenizer tokenizer = WordTokenizer.fit(texts);
        try (CausalLm model = CausalLm.initialize(new GptConfig(tokenizer.vocabSize(), 1, 16, 2, 64, 0f), 5,
                Device.cpu())) {
            MetricValue m = Suites.multipleChoiceLettered().evaluate(model, tokenizer,
                    new SplitData(Split.FORGET, List.of(), List.of(), choices)).get(0);
            // independently: each prompt + letter scored whole after <bos>; the letter is the last token
            AnswerScorer whole = new AnswerScorer(model, tokenizer, 1);
            double right = 0;
            for (int i = 0; i < choices.size(); i++) {
                MultipleChoice c = choices.get(i);
                List<String> letters = MultipleChoiceSuite.letters(c.options().size());
                double[] ll = new double[letters.size()];
                for (int o = 0; o < ll.length; o++) {
                    double[] lp = whole.scoreTexts(List.of(MultipleChoiceSuite.letteredPrompt(c) + letters.get(o)))
                            .get(0).logProbs();
                    ll[o] = lp[lp.length - 1];
                }
                double hit = MultipleChoiceSuite.argmax(ll) == c.answer() ? 1 : 0;
                assertEquals(hit, m.perExample()[i], "question " + i);
                right += hit;
            }
            assertEquals(right / 3, m.value(), 1e-12);

            // a word tokenizer that never saw the letters cannot tell them apart: refused, not a meaningless 1/k
            WordTokenizer noLetters = WordTokenizer.fit(List.of("Where does Kalo live? Torvel Sadri Works Mirel"));
            try (CausalLm small = CausalLm.initialize(new GptConfig(noLetters.vocabSize(), 1, 16, 2, 64, 0f), 5,
                    Device.cpu())) {
                IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                        () -> Suites.multipleChoiceLettered().evaluate(small, noLetters,
                                new SplitData(Split.FORGET, List.of(), List.of(), choices.subList(0, 1))));
                assertTrue(e.getMessage().contains("cannot be told apart"), e.getMessage());
            }
        }
    }

    /** The recipe check's question: can a tokenizer tell " A" to " D" apart after "Answer:"? */
    @Test
    void aTokenizerWithoutTheLettersIsNamedBeforeAnythingRuns() {
        assertNull(MultipleChoiceSuite.lettersProblem(WordTokenizer.fit(List.of("Answer: A B C D"))));
        String problem = MultipleChoiceSuite.lettersProblem(WordTokenizer.fit(List.of("Answer: A B Kalo lives")));
        assertEquals("the tokenizer encodes 'C' and 'D' after 'Answer:' as the same tokens, so the letters cannot be told "
                + "apart (a word-level tokenizer fitted on data without them); use format: cloze, or a model folder's "
                + "tokenizer (model: {hf: DIR})", problem);
    }
}
