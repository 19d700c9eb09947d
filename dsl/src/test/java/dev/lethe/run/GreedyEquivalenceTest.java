package dev.lethe.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.ndarray.NDScope;
import dev.lethe.data.BatchStream;
import dev.lethe.data.Dataset;
import dev.lethe.data.Encoded;
import dev.lethe.data.FictitiousFacts;
import dev.lethe.data.QaExample;
import dev.lethe.data.Split;
import dev.lethe.eval.AnswerScorer;
import dev.lethe.eval.GreedyDecoder;
import dev.lethe.eval.TokenLogProbs;
import dev.lethe.model.CausalLm;
import dev.lethe.model.GptConfig;
import dev.lethe.model.Tokenizer;
import dev.lethe.objective.Objectives;
import dev.lethe.optim.Optimizer;
import dev.lethe.optim.Optimizers;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The exact-match metric is computed from one teacher-forced pass (every answer token is the argmax); this
 * checks, on a partly trained model, that it agrees example by example with real greedy decoding, which gives
 * the same answers with and without the KV cache.
 */
class GreedyEquivalenceTest {

    @Test
    void teacherForcedExactMatchAgreesWithGreedyDecoding() {
        Dataset data = new FictitiousFacts(6, 0.2, 2, 3, 2, 2).load(4);
        Tokenizer tokenizer = data.fitTokenizer();
        List<QaExample> trained = data.union(Split.FORGET, Split.RETAIN, Split.WORLD);
        List<QaExample> all = data.union(Split.values());
        Optimizer optimizer = Optimizers.adamW(3e-3);
        try (CausalLm model = CausalLm.initialize(new GptConfig(tokenizer.vocabSize(), 2, 32, 2, 32, 0f), 2,
                Device.cpu()); Optimizer.State state = optimizer.init(model.weights(), model.manager())) {
            List<Encoded> encoded = new ArrayList<>();
            trained.forEach(e -> encoded.add(Encoded.of(tokenizer, e.question(), e.answer())));
            Map<Split, BatchStream> streams = Map.of(Split.RETAIN, new BatchStream(encoded, 8, 1));
            for (int s = 0; s < 250; s++) {
                try (NDScope scope = new NDScope()) {
                    optimizer.step(new StepContext(s, 250, model, () -> model, streams, tokenizer,
                            Objectives.nll(Split.RETAIN)), model.weights(), state, s, 250, s);
                }
            }
            List<String> prompts = all.stream().map(QaExample::question).toList();
            List<TokenLogProbs> scored = new AnswerScorer(model, tokenizer, 7).score(prompts,
                    all.stream().map(QaExample::answer).toList());
            List<String> greedy = new GreedyDecoder(model, tokenizer, 5).decode(prompts, 8);
            assertEquals(new GreedyDecoder(model, tokenizer, 5).withoutCache().decode(prompts, 8), greedy,
                    "the KV-cached, left-padded batches decode as the recomputed, right-padded ones");
            int matches = 0;
            for (int i = 0; i < all.size(); i++) {
                boolean decoded = greedy.get(i).equals(all.get(i).answer());
                assertEquals(decoded, scored.get(i).exactMatch(), "example " + i + ": greedy '" + greedy.get(i)
                        + "' vs answer '" + all.get(i).answer() + "'");
                matches += decoded ? 1 : 0;
            }
            System.out.println("greedy exact matches: " + matches + " of " + all.size());
            assertTrue(matches > 0 && matches < all.size(), "both outcomes are exercised: " + matches);
        }
    }
}
