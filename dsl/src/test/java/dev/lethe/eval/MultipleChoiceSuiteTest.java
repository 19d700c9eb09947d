package dev.lethe.eval;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import dev.lethe.data.MultipleChoice;
import dev.lethe.data.QaExample;
import dev.lethe.data.Split;
import dev.lethe.data.SplitData;
import dev.lethe.model.CausalLm;
import dev.lethe.model.GptConfig;
import dev.lethe.model.WordTokenizer;
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
}
