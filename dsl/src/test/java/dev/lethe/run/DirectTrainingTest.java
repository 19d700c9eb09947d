package dev.lethe.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import dev.lethe.data.Encoded;
import dev.lethe.data.Split;
import dev.lethe.model.CausalLm;
import dev.lethe.model.GptConfig;
import dev.lethe.model.WordTokenizer;
import dev.lethe.objective.Objectives;
import dev.lethe.optim.Optimizers;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Training outside a run: losses per step, the same seed the same weights, and what it refuses. */
class DirectTrainingTest {
    private static final WordTokenizer WORDS = WordTokenizer.fit(List.of("who wrote it ? ada did", "where ? london"));
    private static final Map<Split, List<Encoded>> DATA = Map.of(Split.RETAIN, List.of(
            Encoded.of(WORDS, "who wrote it ?", "ada did"), Encoded.of(WORDS, "where ?", "london")));

    private static CausalLm tiny() {
        return CausalLm.initialize(new GptConfig(WORDS.vocabSize(), 1, 16, 2, 16, 0f), 3, Device.cpu());
    }

    @Test
    void learnsAndIsReproducible() {
        DirectTraining training = new DirectTraining(WORDS, Objectives.nll(Split.RETAIN), Optimizers.adamW(1e-2), 2, 30,
                5);
        try (CausalLm a = tiny(); CausalLm b = tiny()) {
            List<Double> losses = training.train(a, DATA, null);
            assertEquals(30, losses.size());
            assertTrue(losses.get(29) < losses.get(0) - 1, losses.toString());
            assertEquals(losses, training.train(b, DATA, null), "the same seed, the same steps");
        }
    }

    @Test
    void anObjectiveWithAReferenceNeedsOne() {
        DirectTraining training = new DirectTraining(WORDS, Objectives.npo(0.1), Optimizers.adamW(1e-2), 2, 1, 5);
        try (CausalLm model = tiny()) {
            String message = assertThrows(IllegalStateException.class, () -> training.train(model,
                    Map.of(Split.FORGET, DATA.get(Split.RETAIN)), null)).getMessage();
            assertTrue(message.contains("needs a reference model"), message);
        }
        assertThrows(IllegalArgumentException.class, () -> new DirectTraining(WORDS, Objectives.nll(), Optimizers
                .adamW(1e-2), 0, 1, 5));
    }
}
