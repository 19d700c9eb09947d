package dev.lethe.run;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import dev.lethe.data.Encoded;
import dev.lethe.data.Split;
import dev.lethe.model.CausalLm;
import dev.lethe.model.GptConfig;
import dev.lethe.model.WordTokenizer;
import dev.lethe.objective.AltPo;
import dev.lethe.objective.Alternates;
import dev.lethe.objective.Objectives;
import dev.lethe.optim.Optimizers;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * AltPO on a real (tiny) model: its alternates are sampled from the frozen reference, asked with the authors'
 * request (question and answer in it; an empty question text is read back from the prompt), the same whatever
 * batch or order they are first asked for in and by a fresh copy of the same reference (so a resumed or repeated run
 * gets the same ones), and a run is bit-reproducible. At the first step the trained model is the reference, so every log
 * ratio is 0 and the loss is (2/β)·ln 2 exactly.
 */
class AltPoRunTest {
    private static final WordTokenizer WORDS = WordTokenizer.fit(List.of("who wrote it ? ada did", "where ? london",
            "when ? in may", AlternateAnswers.instruction("", "")));
    private static final Encoded WHO = Encoded.of(WORDS, "who wrote it ?", "ada did");
    private static final Encoded WHERE = Encoded.of(WORDS, "where ?", "london");
    private static final Encoded WHEN = Encoded.of(WORDS, "when ?", "in may");
    private static final Alternates THREE = new Alternates(3, 4, 1, 7);

    private static CausalLm tiny() {
        return CausalLm.initialize(new GptConfig(WORDS.vocabSize(), 1, 16, 2, 64, 0f), 3, Device.cpu());
    }

    private static String answers(List<Encoded> rows) {
        return rows.stream().map(e -> java.util.Arrays.toString(e.answer())).collect(Collectors.joining(" "));
    }

    @Test
    void alternatesDependOnThePromptAndTheReferenceOnly() {
        try (CausalLm model = tiny(); CausalLm reference = model.frozenCopy(); CausalLm again = model.frozenCopy()) {
            // WHERE's question is read back from its prompt
            List<Encoded> pair = AlternateAnswers.of(reference, WORDS, List.of(WHO, WHERE), List.of("who wrote it ?",
                    ""), THREE);
            assertEquals(6, pair.size(), "K rows per example, example after example");
            for (int k = 0; k < 3; k++) {
                assertArrayEquals(WHO.prompt(), pair.get(k).prompt());
                assertArrayEquals(WHERE.prompt(), pair.get(3 + k).prompt());
                assertTrue(pair.get(k).closed(), "an alternate is a whole answer, closed by <eos>");
                assertTrue(WORDS.decode(pair.get(k).answer()).indexOf("Q:") < 0, "cut at the authors' stop strings");
            }
            List<Encoded> swapped = AlternateAnswers.of(again, WORDS, List.of(WHEN, WHERE, WHO), List.of("when ?", "",
                    "who wrote it ?"), THREE);
            assertEquals(answers(pair.subList(0, 3)), answers(swapped.subList(6, 9)),
                    "another batch, another order, a fresh copy of the reference: the same alternates");
            assertEquals(answers(pair.subList(3, 6)), answers(swapped.subList(3, 6)));
            assertNotEquals(answers(pair.subList(0, 3)), answers(AlternateAnswers.of(reference, WORDS, List.of(WHO),
                    List.of("who wrote it ?"), new Alternates(3, 4, 1, 8))), "another seed, other alternates");
            List<String> distinct = pair.subList(0, 3).stream().map(e -> java.util.Arrays.toString(e.answer()))
                    .distinct().toList();
            assertTrue(distinct.size() > 1, "sampled, not greedy: " + distinct);
        }
    }

    @Test
    void aRunStartsAtTwoOverBetaLogTwoAndIsBitReproducible() {
        AltPo altPo = new AltPo(0.5, 3, 4, 1, 7);
        DirectTraining training = new DirectTraining(WORDS, altPo.plus(Objectives.nll()), Optimizers.adamW(1e-2), 2,
                4, 5);
        Map<Split, List<Encoded>> data = Map.of(Split.FORGET, List.of(WHO, WHERE), Split.RETAIN, List.of(WHEN));
        List<Double> first;
        try (CausalLm model = tiny(); CausalLm reference = model.frozenCopy()) {
            first = training.train(model, data, reference);
        }
        try (CausalLm model = tiny(); CausalLm reference = model.frozenCopy()) {
            assertEquals(first, training.train(model, data, reference), "the same recipe, the same losses");
        }
        try (CausalLm model = tiny(); CausalLm reference = model.frozenCopy()) {
            double nll = new DirectTraining(WORDS, Objectives.nll(), Optimizers.adamW(1e-2), 2, 1, 5)
                    .train(model, data, reference).get(0);
            assertEquals(2 / 0.5 * Math.log(2) + nll, first.get(0), 1e-5, "θ = θ_ref at step 0: every margin is 0");
        }
        assertTrue(first.stream().allMatch(Double::isFinite), first.toString());
    }
}
