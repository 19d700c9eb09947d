package dev.lethe.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lethe.Lethe;
import dev.lethe.data.FictitiousFacts;
import dev.lethe.data.Split;
import dev.lethe.eval.Metric;
import dev.lethe.eval.ModelUtility;
import dev.lethe.eval.Suites;
import dev.lethe.model.GptConfig;
import dev.lethe.result.RunResult;
import dev.lethe.spec.Evaluation;
import dev.lethe.spec.Training;
import java.util.List;
import org.junit.jupiter.api.Test;

/** TOFU's model utility end to end: a tiny model's value is the harmonic mean of the tofu suite's nine numbers. */
class ModelUtilityRunTest {

    @Test
    void aLearnedModelsUtilityIsTheHarmonicMeanOfTheNineReportedNumbers() {
        RunResult r = Runner.of(Lethe.recipe("utility")
                .model(new GptConfig(0, 2, 48, 2, 32, 0f))
                .data(new FictitiousFacts(4, 0.25, 1, 3, 2, 2))
                .learn(Training.of(400).batchSize(8))
                .evaluate(new Evaluation(List.of(Suites.tofu()), ModelUtility.SPLITS))
                .seed(3)
                .build()).run();
        double[] parts = new double[9];
        int k = 0;
        for (Split s : ModelUtility.SPLITS) {
            for (Metric m : ModelUtility.PARTS) {
                parts[k++] = r.value("learned", s, m.name());
            }
        }
        double inverse = 0;
        for (double p : parts) {
            assertTrue(p > 0 && p <= 1, java.util.Arrays.toString(parts));
            inverse += 1 / p;
        }
        double utility = r.value("learned", ModelUtility.SPAN, "model_utility");
        assertEquals(9 / inverse, utility, 1e-12);
    }
}
