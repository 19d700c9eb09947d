package dev.lethe.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import dev.lethe.Lethe;
import dev.lethe.data.QaExample;
import dev.lethe.data.Split;
import dev.lethe.data.SplitData;
import dev.lethe.model.CausalLm;
import dev.lethe.model.GptConfig;
import dev.lethe.model.WordTokenizer;
import dev.lethe.spec.Evaluation;
import dev.lethe.spec.Recipe;
import java.util.List;
import org.junit.jupiter.api.Test;

class ProbabilityMassSuiteTest {
    /**
     * By hand: example 1 has avgNLLs [ln 2, ln 4, ln 5] (P̃ = 1/2 for the paraphrase, 1/4 and 1/5 for the perturbed
     * answers), example 2 [ln 10, ln 10] (1/10 and 1/10). Paraphrased: (1/2 + 1/10)/2 = 0.3. Perturbed: ((1/4 + 1/5)/2
     * + 1/10)/2 = (0.225 + 0.1)/2 = 0.1625. Share: (0.5/(0.5 + 0.45) + 0.1/0.2)/2 = (10/19 + 1/2)/2 = 39/76.
     */
    @Test
    void theMeansOfTheParaphrasedAndPerturbedProbabilitiesAndTheShareAreTheHandComputedOnes() {
        double[] m = ProbabilityMassSuite.masses(new double[][] {{Math.log(2), Math.log(4), Math.log(5)},
                {Math.log(10), Math.log(10)}});
        assertEquals(0.3, m[0], 1e-15);
        assertEquals(0.1625, m[1], 1e-15);
        assertEquals(39.0 / 76, m[2], 1e-15);
    }

    @Test
    void theShareStaysDefinedWhereEveryProbabilityUnderflows() {
        double[] m = ProbabilityMassSuite.masses(new double[][] {{800, 800 + Math.log(3)}});
        assertEquals(0.0, m[0]);
        assertEquals(0.75, m[2], 1e-12, "1/(1 + 1/3)");
    }

    @Test
    void anExampleWithoutAPerturbedAnswerIsRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ProbabilityMassSuite.masses(new double[][] {{1.0}}));
        assertTrue(e.getMessage().contains("at least one perturbed answer"), e.getMessage());
    }

    @Test
    void theSuiteScoresEachAnswerAfterTheQuestionAsTheAnswerScorerDoesAndSkipsExamplesWithoutPerturbedAnswers() {
        List<QaExample> examples = List.of(
                new QaExample("Where does Kalo live?", "Torvel", "Where is Kalo's home?", "They live in Torvel.",
                        List.of("They live in Amsk.", "They live in Orr."), "Kalo", "city"),
                new QaExample("Where does Tess live?", "Orr", "Where is Tess's home?", "They live in Orr.", List.of(),
                        "Tess", "city"),
                new QaExample("Where does Mira live?", "Amsk", "Where is Mira's home?", "They live in Amsk.",
                        List.of("They live in Torvel."), "Mira", "city"));
        WordTokenizer tokenizer = WordTokenizer.fit(examples.stream().flatMap(e -> e.texts().stream()).toList());
        try (CausalLm model = CausalLm.initialize(new GptConfig(tokenizer.vocabSize(), 1, 16, 2, 64, 0f), 3,
                Device.cpu())) {
            List<MetricValue> values = Suites.mass().evaluate(model, tokenizer, SplitData.of(Split.FORGET, examples));
            AnswerScorer scorer = new AnswerScorer(model, tokenizer, 2);
            List<TokenLogProbs> s = scorer.score(List.of(examples.get(0).question(), examples.get(0).question(),
                    examples.get(0).question(), examples.get(2).question(), examples.get(2).question()),
                    List.of("They live in Torvel.", "They live in Amsk.", "They live in Orr.", "They live in Amsk.",
                            "They live in Torvel."));
            double[] expected = ProbabilityMassSuite.masses(new double[][] {
                    {s.get(0).meanNll(), s.get(1).meanNll(), s.get(2).meanNll()},
                    {s.get(3).meanNll(), s.get(4).meanNll()}});
            assertEquals(List.of("paraphrased_probability", "perturbed_probability", "paraphrased_share"),
                    values.stream().map(MetricValue::name).toList());
            for (int i = 0; i < 3; i++) {
                assertEquals(expected[i], values.get(i).value(), 1e-6, values.get(i).name());
            }
            List<QaExample> none = List.of(examples.get(1));
            assertEquals(List.of(), Suites.mass().evaluate(model, tokenizer, SplitData.of(Split.HOLDOUT, none)));
        }
    }

    @Test
    void theSuiteReadsAndWritesInRecipeFiles() {
        Recipe r = Lethe.fromYaml("""
                name: mass
                model: gpt
                data: fictitious_facts
                stages:
                  - evaluate: {suites: [{mass: {batch_size: 8}}], splits: [forget]}
                """);
        assertEquals(new Evaluation(List.of(new ProbabilityMassSuite(8)), List.of(Split.FORGET)),
                r.first(Evaluation.class));
        assertEquals(r, Lethe.fromYaml(Lethe.toYaml(r)));
    }
}
