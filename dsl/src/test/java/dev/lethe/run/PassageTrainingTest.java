package dev.lethe.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lethe.Lethe;
import dev.lethe.data.FictitiousFacts;
import dev.lethe.data.Passage;
import dev.lethe.data.QaExample;
import dev.lethe.data.Split;
import dev.lethe.data.Texts;
import dev.lethe.eval.Suites;
import dev.lethe.model.GptConfig;
import dev.lethe.objective.Objectives;
import dev.lethe.result.RunResult;
import dev.lethe.spec.Evaluation;
import dev.lethe.spec.Training;
import dev.lethe.spec.Unlearning;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The learn stage reads the passages, the reference reads only the retain split's: VerbMem tells them apart. */
class PassageTrainingTest {

    /**
     * MUSE's setting: NPO on the forget passages plus the NLL of the retain passages forgets much of the forget
     * texts and keeps most of the retain ones; the same objective on the question-answer pairs (measured:
     * forget VerbMem 0.97 → 0.34, retain 0.95 → 0.17) wrecks the retain texts' verbatim memory, as its retain
     * term never sees a passage (passages: forget 0.48, retain 0.74).
     */
    @Test
    void unlearningOnPassagesForgetsTheForgetTextsAndKeepsTheRetainOnes(@TempDir Path cache) {
        Map<Texts, RunResult> results = new EnumMap<>(Texts.class);
        for (Texts texts : List.of(Texts.PASSAGES, Texts.ANSWERS)) {
            results.put(texts, Runner.of(Lethe.recipe("unlearn-" + texts).model(new GptConfig(0, 2, 48, 2, 32, 0f))
                    .data(new FictitiousFacts(8, 0.25, 2, 3, 2, 2))
                    .learn(Training.of(400).batchSize(8))
                    .unlearn(Unlearning.of(Objectives.npo().plus(Objectives.nll(Split.RETAIN))).steps(30).batchSize(4)
                            .trainOn(texts))
                    .evaluate(new Evaluation(List.of(Suites.muse()), List.of(Split.FORGET, Split.RETAIN)))
                    .seed(3)
                    .build()).cache(cache).run());
        }
        RunResult passages = results.get(Texts.PASSAGES);
        RunResult answers = results.get(Texts.ANSWERS);
        String verbMem = "verbmem_rouge_l_f1";
        double learnedForget = passages.value("learned", Split.FORGET, verbMem);
        double learnedRetain = passages.value("learned", Split.RETAIN, verbMem);
        double forget = passages.value("unlearned", Split.FORGET, verbMem);
        double retain = passages.value("unlearned", Split.RETAIN, verbMem);
        System.out.printf("VerbMem forget/retain: learned %.3f/%.3f, on passages %.3f/%.3f, on answers %.3f/%.3f%n",
                learnedForget, learnedRetain, forget, retain, answers.value("unlearned", Split.FORGET, verbMem),
                answers.value("unlearned", Split.RETAIN, verbMem));
        double answersForget = answers.value("unlearned", Split.FORGET, verbMem);
        double answersRetain = answers.value("unlearned", Split.RETAIN, verbMem);
        assertTrue(forget < learnedForget - 0.3, "forget texts: learned " + learnedForget + ", unlearned " + forget);
        assertTrue(retain > answersRetain + 0.3, "retain texts: on passages " + retain + ", on answers " + answersRetain);
        assertTrue(retain - forget > answersRetain - answersForget + 0.3, "the retain-forget gap");
    }

    @Test
    void aRequestsForgetPassagesAreThoseOfItsPeople() {
        QaExample ann1 = qa("Ann");
        QaExample ann2 = qa("Ann");
        QaExample bob = qa("Bob");
        QaExample cid = qa("Cid");
        List<Passage> passages = List.of(new Passage("about Cid", "Cid"), new Passage("about Ann", "Ann"),
                new Passage("about Bob", "Bob"));
        List<List<QaExample>> chunks = List.of(List.of(ann1), List.of(ann2, bob), List.of(cid));
        assertEquals(List.of(passages.get(1)), Streams.requestPassages(passages, chunks, 0));
        assertEquals(List.of(passages.get(2)), Streams.requestPassages(passages, chunks, 1), "Ann's went to request 1");
        assertEquals(List.of(passages.get(0)), Streams.requestPassages(passages, chunks, 2));
        assertEquals(passages, Streams.requestPassages(passages, List.of(List.of(ann1)), 0), "one request: all");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Streams.requestPassages(
                List.of(new Passage("about Dan", "Dan")), chunks, 0));
        assertTrue(e.getMessage().contains("'Dan'"), e.getMessage());
    }

    private static QaExample qa(String subject) {
        return new QaExample("q", "a", "q", "a", List.of("b"), subject, "fact");
    }

    @Test
    void theLearnedModelContinuesForgetPassagesBetterThanTheReference() {
        RunResult r = Runner.of(Lethe.recipe("passages").model(new GptConfig(0, 2, 48, 2, 32, 0f))
                .data(new FictitiousFacts(8, 0.25, 2, 3, 2, 2))
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
