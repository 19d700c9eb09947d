package dev.lethe.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import dev.lethe.data.Dataset;
import dev.lethe.data.FictitiousFacts;
import dev.lethe.data.Split;
import dev.lethe.model.CausalLm;
import dev.lethe.model.GptConfig;
import dev.lethe.model.WordTokenizer;
import dev.lethe.spec.Evaluation;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class MetricTest {

    @Test
    void everyBuiltInSuiteReturnsOnlyAndAllOfTheMetricsItDeclares() {
        Dataset d = new FictitiousFacts(8, 0.25, 2, 3, 2, 2).load(3);
        WordTokenizer tokenizer = d.fitTokenizer();
        Map<String, Map<Split, Map<String, MetricValue>>> values = new LinkedHashMap<>();
        try (CausalLm model = CausalLm.initialize(new GptConfig(tokenizer.vocabSize(), 1, 16, 2, 32, 0f), 5,
                Device.cpu())) {
            for (Suite suite : Evaluation.defaults().suites()) {
                Set<Metric> returned = new LinkedHashSet<>();
                for (Split split : Split.values()) {
                    for (MetricValue v : suite.evaluate(model, tokenizer, d.view(split))) {
                        assertTrue(suite.metrics().contains(v.metric()),
                                suite + " returned " + v.metric() + " but declares " + suite.metrics());
                        returned.add(v.metric());
                        for (String model2 : List.of("reference", "unlearned")) {
                            values.computeIfAbsent(model2, k -> new EnumMap<>(Split.class))
                                    .computeIfAbsent(split, k -> new LinkedHashMap<>()).put(v.name(), v);
                        }
                    }
                }
                assertEquals(suite.metrics(), List.copyOf(returned),
                        suite + " declares each metric it returns on the built-in benchmark, in order");
            }
        }
        Set<String> derived = new LinkedHashSet<>();
        CrossModelMetrics.compute(values, "reference", RetrainAuc.of(MuseRetrainAuc.NEWS))
                .forEach(v -> derived.add(v.metric()));
        assertEquals(CrossModelMetrics.METRICS.stream().map(Metric::name).sorted().toList(),
                derived.stream().sorted().toList(), "the cross-model metrics derive what they declare");
    }

    @Test
    void knowledgeIsWorseWhenHigherOnForgetAndBetterWhenHigherElsewhere() {
        assertEquals(Metric.Direction.HIGHER_KNOWS_MORE, AnswerSuite.PROBABILITY.direction());
        assertEquals(Metric.Direction.HIGHER_KNOWS_MORE, AnswerSuite.EXACT_MATCH.direction());
        assertEquals(Metric.Direction.HIGHER_KNOWS_LESS, AnswerSuite.NLL.direction());
        assertEquals(1.0, AnswerSuite.EXACT_MATCH.direction().worse("forget", 0.0, 1.0), 0.0);
        assertEquals(0.0, AnswerSuite.EXACT_MATCH.direction().worse("retain", 0.0, 1.0), 0.0);
        assertEquals(0.0, AnswerSuite.PROBABILITY.direction().worse("holdout", 0.0, 1.0), 0.0);
        assertEquals(0.5, AnswerSuite.NLL.direction().worse("forget", 0.5, 2.0), 0.0);
        assertEquals(2.0, AnswerSuite.NLL.direction().worse("world", 0.5, 2.0), 0.0);
        for (Metric score : PrivacySuite.SCORES) {
            assertEquals(Metric.Direction.HIGHER_KNOWS_LESS, score.direction(), score.name() + " is lower when memorised");
            assertEquals(Metric.Scope.PER_EXAMPLE, score.scope());
        }
    }

    @Test
    void goalOrientedMetricsPointTheSameWayOnEverySplit() {
        // truth ratio: min(R, 1/R) on forget is 1 once the true answer is no longer preferred; max(0, 1 - R)
        // elsewhere is higher while it is
        assertEquals(Metric.Direction.HIGHER_IS_BETTER, TofuSuite.TRUTH_RATIO.direction());
        assertEquals(0.2, TofuSuite.TRUTH_RATIO.direction().worse("forget", 0.2, 0.9), 0.0);
        assertEquals(0.2, TofuSuite.TRUTH_RATIO.direction().worse("retain", 0.2, 0.9), 0.0);
        assertEquals(Metric.Direction.HIGHER_IS_BETTER, CrossModelMetrics.FORGET_QUALITY.direction());
        assertEquals(Metric.Scope.ACROSS_MODELS, CrossModelMetrics.FORGET_QUALITY.scope());
        assertEquals(0.01, CrossModelMetrics.FORGET_QUALITY.direction().worse("forget", 0.01, 0.9), 0.0);
        assertEquals(Metric.Direction.HIGHER_IS_WORSE, ReferenceKl.KL_TO_REFERENCE.direction());
        assertEquals(0.3, ReferenceKl.KL_TO_REFERENCE.direction().worse("forget", 0.1, 0.3), 0.0);
        assertEquals(0.3, ReferenceKl.KL_TO_REFERENCE.direction().worse("retain", 0.1, 0.3), 0.0);
        assertEquals(Metric.Direction.HIGHER_IS_WORSE, CrossModelMetrics.MIA_AUC_MIN_K.direction());
        assertEquals(Metric.Direction.HIGHER_IS_BETTER, CrossModelMetrics.MODEL_UTILITY.direction());
        // PrivLeak: 0 is ideal, both signs are failures (under- and over-unlearning)
        assertEquals(Metric.Direction.ZERO_IS_BEST, CrossModelMetrics.PRIVLEAK.direction());
        assertEquals(-40.0, CrossModelMetrics.PRIVLEAK.direction().worse("forget+holdout", -40.0, 10.0), 0.0);
        assertEquals(50.0, CrossModelMetrics.PRIVLEAK.direction().worse("forget+holdout", -40.0, 50.0), 0.0);
    }

    @Test
    void aMetricAcrossSplitsCannotHaveADirectionThatDependsOnTheSplit() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new Metric("u",
                Metric.Direction.HIGHER_KNOWS_MORE, Metric.Scope.ACROSS_SPLITS, "utility"));
        assertTrue(e.getMessage().contains("cannot depend on a split"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new Metric("a,b", Metric.Direction.HIGHER_IS_BETTER,
                Metric.Scope.PER_SPLIT, "a comma would break the CSV"));
    }

    @Test
    void twoDifferentMetricsOfOneNameAreRefused() {
        Metric other = new Metric("nll", Metric.Direction.HIGHER_KNOWS_MORE, Metric.Scope.PER_SPLIT, "not a loss");
        assertEquals(1, Metric.byName(List.of(AnswerSuite.NLL, AnswerSuite.NLL)).size());
        assertThrows(IllegalArgumentException.class, () -> Metric.byName(List.of(AnswerSuite.NLL, other)));
    }

    @Test
    void aLambdaSuiteIsGivenItsMetricsAndRefusesAnUndeclaredOne() {
        Suite declared = Suite.of(List.of(AnswerSuite.NLL), (model, tokenizer, data) ->
                List.of(new MetricValue(AnswerSuite.NLL, 1.0)));
        assertEquals(List.of(AnswerSuite.NLL), declared.metrics());
        Suite undeclared = Suite.of(List.of(AnswerSuite.NLL), (model, tokenizer, data) ->
                List.of(new MetricValue(AnswerSuite.EXACT_MATCH, 1.0)));
        Dataset d = new FictitiousFacts(4, 0.25, 1, 1, 0, 0).load(1);
        WordTokenizer tokenizer = d.fitTokenizer();
        try (CausalLm model = CausalLm.initialize(new GptConfig(tokenizer.vocabSize(), 1, 8, 2, 16, 0f), 1,
                Device.cpu())) {
            assertEquals(1.0, declared.evaluate(model, tokenizer, d.view(Split.FORGET)).get(0).value(), 0.0);
            IllegalStateException e = assertThrows(IllegalStateException.class,
                    () -> undeclared.evaluate(model, tokenizer, d.view(Split.FORGET)));
            assertTrue(e.getMessage().contains("exact_match"), e.getMessage());
        }
    }
}
