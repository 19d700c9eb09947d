package dev.lethe.run;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lethe.Evaluation;
import dev.lethe.Lethe;
import dev.lethe.RunResult;
import dev.lethe.Training;
import dev.lethe.data.FictitiousFacts;
import dev.lethe.data.Split;
import dev.lethe.eval.Suites;
import dev.lethe.model.GptConfig;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The learn stage reads the passages, the reference reads only the retain split's: VerbMem tells them apart. */
class PassageTrainingTest {

    @Test
    void theLearnedModelContinuesForgetPassagesBetterThanTheReference() {
        RunResult r = Runner.of(Lethe.recipe("passages").model(new GptConfig(0, 2, 48, 2, 32, 0f))
                .data(new FictitiousFacts(8, 0.25, 2, 3, 2))
                .learn(Training.of(400).batchSize(8))
                .reference()
                .evaluate(new Evaluation(List.of(Suites.muse()), List.of(Split.FORGET, Split.RETAIN)))
                .seed(3)
                .build()).run();
        double learned = r.value("learned", Split.FORGET, "verbmem_rouge_l_f1");
        double reference = r.value("reference", Split.FORGET, "verbmem_rouge_l_f1");
        double referenceRetain = r.value("reference", Split.RETAIN, "verbmem_rouge_l_f1");
        assertTrue(learned > reference + 0.1, "learned " + learned + " vs reference " + reference);
        assertTrue(referenceRetain > reference + 0.1, "the reference read the retain passages: " + referenceRetain
                + " vs forget " + reference);
    }
}
