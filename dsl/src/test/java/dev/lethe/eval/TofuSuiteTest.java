package dev.lethe.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import ai.djl.Device;
import dev.lethe.data.QaExample;
import dev.lethe.data.Split;
import dev.lethe.data.SplitData;
import dev.lethe.eval.stats.Memorization;
import dev.lethe.model.CausalLm;
import dev.lethe.model.GptConfig;
import dev.lethe.model.WordTokenizer;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Which examples TOFU's metrics read on a split. */
class TofuSuiteTest {
    private static QaExample example(String name, String city, List<String> wrong) {
        return new QaExample("Where does " + name + " live?", city, "Where is " + name + "'s home?",
                "They live in " + city + ".", wrong, name, "city");
    }

    private static List<Double> values(List<MetricValue> metrics) {
        return metrics.stream().map(MetricValue::value).toList();
    }

    @Test
    void aSplitWithSomePerturbedAnswersIsEvaluatedOnThoseExamplesAsTofusPerturbedFilesAre() {
        List<QaExample> covered = List.of(example("Kalo", "Torvel", List.of("They live in Amsk.", "They live in Orr.")),
                example("Mira", "Amsk", List.of("They live in Torvel.", "They live in Orr.")));
        List<QaExample> mixed = new ArrayList<>(covered);
        mixed.add(1, example("Tess", "Orr", List.of()));
        List<String> texts = mixed.stream().flatMap(e -> e.texts().stream()).toList();
        WordTokenizer tokenizer = WordTokenizer.fit(texts);
        TofuSuite suite = new TofuSuite(4, 4);
        try (CausalLm model = CausalLm.initialize(new GptConfig(tokenizer.vocabSize(), 1, 16, 2, 64, 0f), 3,
                Device.cpu())) {
            List<Double> onMixed = values(suite.evaluate(model, tokenizer, SplitData.of(Split.RETAIN, mixed)));
            List<Double> onCovered = values(suite.evaluate(model, tokenizer, SplitData.of(Split.RETAIN, covered)));
            assertEquals(onCovered, onMixed);
            List<QaExample> none = mixed.stream().map(e -> new QaExample(e.question(), e.answer(),
                    e.paraphrasedQuestion(), e.paraphrasedAnswer(), List.of(), e.subject(), e.fact())).toList();
            List<Double> whole = values(suite.evaluate(model, tokenizer, SplitData.of(Split.HOLDOUT, none)));
            assertNotEquals(onMixed.get(0), whole.get(0), "a split without perturbed answers is evaluated whole");
        }
    }

    @Test
    void exactMemorizationAndExtractionStrengthReadTheAnswerHitsWithoutTheClosingEos() {
        List<QaExample> examples = List.of(example("Kalo", "Torvel", List.of()), example("Mira", "Amsk", List.of()),
                example("Tess", "Orr", List.of()));
        WordTokenizer tokenizer = WordTokenizer.fit(examples.stream().flatMap(e -> e.texts().stream()).toList());
        try (CausalLm model = CausalLm.initialize(new GptConfig(tokenizer.vocabSize(), 1, 16, 2, 64, 0f), 5,
                Device.cpu())) {
            List<MetricValue> m = new TofuSuite(4, 4).evaluate(model, tokenizer, SplitData.of(Split.FORGET, examples));
            MetricValue em = m.stream().filter(v -> v.metric().equals(TofuSuite.EXACT_MEMORIZATION)).findFirst()
                    .orElseThrow();
            MetricValue es = m.stream().filter(v -> v.metric().equals(TofuSuite.EXTRACTION_STRENGTH)).findFirst()
                    .orElseThrow();
            List<TokenLogProbs> scored = new AnswerScorer(model, tokenizer, 4).scoreAnswers(examples);
            double emSum = 0;
            double esSum = 0;
            for (int i = 0; i < examples.size(); i++) {
                boolean[] all = scored.get(i).argmaxCorrect();
                boolean[] hits = java.util.Arrays.copyOf(all, all.length - 1);
                assertEquals(Memorization.exactMemorization(hits), em.perExample()[i], 0.0);
                assertEquals(Memorization.extractionStrength(hits), es.perExample()[i], 0.0);
                emSum += em.perExample()[i];
                esSum += es.perExample()[i];
            }
            assertEquals(emSum / 3, em.value(), 1e-12);
            assertEquals(esSum / 3, es.value(), 1e-12);
        }
    }
}
