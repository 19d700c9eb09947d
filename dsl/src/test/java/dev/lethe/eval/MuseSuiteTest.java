package dev.lethe.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import ai.djl.Device;
import dev.lethe.data.Continuation;
import dev.lethe.data.Dataset;
import dev.lethe.data.FictitiousFacts;
import dev.lethe.data.MuseData;
import dev.lethe.data.MuseProbes;
import dev.lethe.data.Passage;
import dev.lethe.data.QaExample;
import dev.lethe.data.Split;
import dev.lethe.data.SplitData;
import dev.lethe.eval.stats.RougeL;
import dev.lethe.model.CausalLm;
import dev.lethe.model.GptConfig;
import dev.lethe.model.HfFolder;
import dev.lethe.model.HfTokenizer;
import dev.lethe.model.Tokenizer;
import dev.lethe.model.WordTokenizer;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import dev.lethe.run.BaseModel;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

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
        assertThrows(IllegalArgumentException.class, () -> new MuseSuite(1, 0, 1, 128));
        assertThrows(IllegalArgumentException.class, () -> new MuseSuite(1, 1, 1, 1));
    }

    @Test
    void knowMemAnswersAreCutBeforeMusesStopStrings() {
        assertEquals("Torvel", MuseSuite.beforeStops("Torvel\n\nQuestion: Who?\nAnswer: x"));
        assertEquals("in May", MuseSuite.beforeStops("in May\nQuestion"));
        assertEquals("the bridge ", MuseSuite.beforeStops("the bridge Question: what"));
        assertEquals("", MuseSuite.beforeStops("Question: what"));
        assertEquals("a\nb", MuseSuite.beforeStops("a\nb"));
    }

    @Test
    void knowMemIsTheF1NotTheRecallOfTheCutAnswer() {
        // "the old bridge was closed": LCS 3 of 5 generated and 3 true tokens -> P 3/5, R 1, F1 0.75
        assertEquals(0.75, MuseSuite.knowMemScore("the old bridge",
                "the old bridge was closed\n\nQuestion: Where?\nAnswer: Torvel"), 1e-12);
        assertNotEquals(RougeL.recall("the old bridge", "the old bridge was closed"), 0.75);
        // unstemmed: "bridges" is not "bridge" (a stemmer would make it 1.0)
        assertEquals(0.5, MuseSuite.knowMemScore("old bridge", "old bridges"), 1e-12);
    }

    @Test
    void defaultsAreMusesGenerationLengths() {
        MuseSuite d = MuseSuite.KIND.defaults();
        assertEquals(32, d.maxAnswerTokens());
        assertEquals(128, d.verbmemTokens());
    }

    @Test
    void builtInVerbMemIsTheF1OfEachPassagesContinuationAndKnowMemTheF1OfGreedyAnswers() {
        Dataset d = new FictitiousFacts(4, 0.25, 1, 3, 0, 0).load(2);
        WordTokenizer tokenizer = d.fitTokenizer();
        SplitData forget = d.view(Split.FORGET);
        try (CausalLm model = CausalLm.initialize(new GptConfig(tokenizer.vocabSize(), 1, 16, 2, 32, 0f), 5,
                Device.cpu())) {
            List<MetricValue> m = new MuseSuite(2, 5, 4, 128).evaluate(model, tokenizer, forget);
            GreedyDecoder decoder = new GreedyDecoder(model, tokenizer, 1);
            Passage p = forget.passages().get(0);
            MuseSuite.Cut cut = MuseSuite.cut(tokenizer, p.text(), 5);
            String continuation = decoder.decode(List.of(cut.prefix()), cut.restTokens()).get(0);
            assertEquals("verbmem_rouge_l_f1", m.get(0).name());
            assertEquals(RougeL.f1(cut.rest(), continuation), m.get(0).value(), 1e-12);
            List<String> answers = new GreedyDecoder(model, tokenizer, 2)
                    .decode(forget.examples().stream().map(QaExample::question).toList(), 4);
            double f1 = 0;
            for (int i = 0; i < answers.size(); i++) {
                f1 += RougeL.f1(forget.examples().get(i).answer(), answers.get(i));
            }
            assertEquals("knowmem_rouge_l_f1", m.get(1).name());
            assertEquals(f1 / forget.examples().size(), m.get(1).value(), 1e-12);
            assertEquals(List.of(), new MuseSuite(2, 5, 4, 128).evaluate(model, tokenizer,
                    new SplitData(Split.WORLD, List.of(), List.of(), List.of())));
        }
    }

    @Test
    void onMusesFilesVerbMemContinuesEachPromptAndKnowMemUsesTheFewShotPrompt() throws URISyntaxException {
        Dataset d = new MuseData(Path.of(MuseSuiteTest.class.getResource("/muse").toURI())).load(0);
        WordTokenizer tokenizer = d.fitTokenizer();
        SplitData forget = d.view(Split.FORGET);
        MuseProbes probes = forget.muse();
        try (CausalLm model = CausalLm.initialize(new GptConfig(tokenizer.vocabSize(), 2, 32, 2, 128, 0f), 9,
                Device.cpu())) {
            int verbmemTokens = 6;
            List<MetricValue> m = new MuseSuite(2, 5, 3, verbmemTokens).evaluate(model, tokenizer, forget);
            GreedyDecoder decoder = new GreedyDecoder(model, tokenizer, 1);
            double verbmem = 0;
            for (Continuation c : probes.verbmem()) {
                String out = decoder.continueTexts(List.of(c.prompt()), verbmemTokens).get(0);
                // the truth cut to verbmem_tokens − 1 = 5 tokens, e.g. "with a parade of boats"
                verbmem += RougeL.f1(firstTokens(tokenizer, c.truth(), 5), out);
            }
            assertEquals("with a parade of boats", firstTokens(tokenizer, probes.verbmem().get(0).truth(), 5));
            assertEquals("verbmem_rouge_l_f1", m.get(0).name());
            assertEquals(verbmem / 2, m.get(0).value(), 1e-12);
            double knowmem = 0;
            for (QaExample e : probes.knowmem()) {
                String out = decoder.continueTexts(List.of(probes.fewShotPrompt(e.question())), 3).get(0);
                knowmem += RougeL.f1(e.answer(), MuseSuite.beforeStops(out));
            }
            assertEquals("knowmem_rouge_l_f1", m.get(1).name());
            assertEquals(knowmem / 2, m.get(1).value(), 1e-12);
            assertEquals(2, m.size(), "the suite does not score passages when MUSE's verbmem rows are there");
            // holdout has MUSE probes but no verbmem rows and no questions: nothing to report (its passages are
            // training text, not VerbMem prompts)
            assertEquals(List.of(), new MuseSuite(2, 5, 3, verbmemTokens).evaluate(model, tokenizer,
                    d.view(Split.HOLDOUT)));
        }
    }

    @Test
    void withAModelFoldersTokenizerTheTruthIsCutAsTokenizerGtWithSpecialTokens(@TempDir Path dir) {
        Path base = BaseModel.pretrain(dir.resolve("base"), BaseModel.Options.defaults()
                .withCorpus(new FictitiousFacts(4, 0.25, 1, 1, 0, 0), 10).withShape(280, 16, 1).withSteps(2));
        try (HfFolder.Pretrained p = HfFolder.load(base, Device.cpu())) {
            HfTokenizer hf = (HfTokenizer) p.tokenizer();
            Continuation row = new Continuation("The river festival", "opened on Monday with a parade of boats.");
            int[] withSpecials = hf.encodeWithSpecialTokens(row.truth());
            int cut = 4;
            String truth = hf.decode(Arrays.copyOf(withSpecials, cut));
            String out = new GreedyDecoder(p.model(), hf, 1).continueTexts(List.of(row.prompt()), cut).get(0);
            SplitData forget = new SplitData(Split.FORGET, List.of(), List.of(), List.of(),
                    new MuseProbes(List.of(row), List.of(), List.of(), List.of()));
            MetricValue verbmem = new MuseSuite(1, 5, 4, cut).evaluate(p.model(), hf, forget).get(0);
            assertEquals(RougeL.f1(truth, out), verbmem.value(), 1e-12);
            // this folder's post-processor adds no special token: all 4 ids are text ("open"), where Lethe's word
            // tokenizer keeps 3 after the <bos> it counts
            assertEquals(hf.encode(row.truth()).length, withSpecials.length);
            assertEquals("open", MuseSuite.truthCut(hf, row.truth(), cut));
            WordTokenizer words = WordTokenizer.fit(List.of(row.truth()));
            assertEquals("opened on Monday", MuseSuite.truthCut(words, row.truth(), cut));
            System.out.printf("HF truth cut: %d ids with special tokens of %d text ids -> '%s'; continuation '%s'%n",
                    withSpecials.length, hf.encode(row.truth()).length, truth, out);
        }
    }

    private static String firstTokens(Tokenizer tokenizer, String text, int n) {
        int[] ids = tokenizer.encode(text);
        return tokenizer.decode(Arrays.copyOf(ids, Math.min(n, ids.length)));
    }
}
