package dev.lethe.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import ai.djl.Device;
import dev.lethe.data.Dataset;
import dev.lethe.data.FictitiousFacts;
import dev.lethe.data.Passage;
import dev.lethe.data.QaExample;
import dev.lethe.data.Split;
import dev.lethe.data.SplitData;
import dev.lethe.eval.stats.RougeL;
import dev.lethe.model.CausalLm;
import dev.lethe.model.GptConfig;
import dev.lethe.model.WordTokenizer;
import java.util.List;
import org.junit.jupiter.api.Test;

class MuseSuiteTest {
    private static final String PASSAGE = "Kalo Renmi was born in 1932 and lives in Torvel.";

    @Test
    void aPassageIsCutAfterItsFirstTokensAndTheRestIsWhatToReproduce() {
        WordTokenizer tokenizer = WordTokenizer.fit(List.of(PASSAGE));
        // tokens: Kalo Renmi was born in | 1932 and lives in Torvel .
        assertEquals(new MuseSuite.Cut("Kalo Renmi was born in", "1932 and lives in Torvel.", 6),
                MuseSuite.cut(tokenizer, PASSAGE, 5));
        assertEquals(new MuseSuite.Cut("Kalo Renmi was born in 1932 and lives in Torvel", ".", 1),
                MuseSuite.cut(tokenizer, PASSAGE, 50), "a short passage keeps its last token to reproduce");
        assertThrows(IllegalArgumentException.class, () -> MuseSuite.cut(tokenizer, "Kalo", 5));
        assertThrows(IllegalArgumentException.class, () -> new MuseSuite(1, 0, 1));
    }

    @Test
    void verbMemIsTheRougeLF1OfTheGreedyContinuationAndKnowMemTheRecallOfGreedyAnswers() {
        Dataset d = new FictitiousFacts(4, 0.25, 1, 3, 0, 0).load(2);
        WordTokenizer tokenizer = d.fitTokenizer();
        SplitData forget = d.view(Split.FORGET);
        try (CausalLm model = CausalLm.initialize(new GptConfig(tokenizer.vocabSize(), 1, 16, 2, 32, 0f), 5,
                Device.cpu())) {
            List<MetricValue> m = new MuseSuite(2, 5, 4).evaluate(model, tokenizer, forget);
            GreedyDecoder decoder = new GreedyDecoder(model, tokenizer, 1);
            Passage p = forget.passages().get(0);
            MuseSuite.Cut cut = MuseSuite.cut(tokenizer, p.text(), 5);
            String continuation = decoder.decode(List.of(cut.prefix()), cut.restTokens()).get(0);
            assertEquals("verbmem_rouge_l_f1", m.get(0).name());
            assertEquals(RougeL.f1(cut.rest(), continuation), m.get(0).value(), 1e-12);
            List<String> answers = new GreedyDecoder(model, tokenizer, 2)
                    .decode(forget.examples().stream().map(QaExample::question).toList(), 4);
            double recall = 0;
            for (int i = 0; i < answers.size(); i++) {
                recall += RougeL.recall(forget.examples().get(i).answer(), answers.get(i));
            }
            assertEquals("knowmem_rouge_l_recall", m.get(1).name());
            assertEquals(recall / forget.examples().size(), m.get(1).value(), 1e-12);
            assertEquals(List.of(), new MuseSuite(2, 5, 4).evaluate(model, tokenizer,
                    new SplitData(Split.WORLD, List.of(), List.of(), List.of())));
        }
    }
}
