package dev.lethe.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.lethe.data.Dataset;
import dev.lethe.data.MuseData;
import dev.lethe.data.QaExample;
import dev.lethe.data.Split;
import dev.lethe.data.SplitData;
import dev.lethe.eval.stats.MiaScores;
import dev.lethe.model.CausalLm;
import dev.lethe.model.GptConfig;
import dev.lethe.model.WordTokenizer;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class PrivacySuiteTest {

    @Test
    void onMusesFilesTheScoresAreOfThePrivleakTextsScoredWholeAfterBos() throws Exception {
        Dataset d = new MuseData(Path.of(PrivacySuiteTest.class.getResource("/muse").toURI())).load(0);
        WordTokenizer tokenizer = d.fitTokenizer();
        try (CausalLm model = CausalLm.initialize(new GptConfig(tokenizer.vocabSize(), 1, 16, 2, 64, 0f), 3,
                Device.cpu())) {
            List<MetricValue> m = new PrivacySuite(4).evaluate(model, tokenizer, d.view(Split.HOLDOUT));
            MetricValue loss = m.get(0);
            MetricValue minK = m.get(2);
            assertEquals(List.of("mia_loss", "mia_zlib", "mia_min_k", "mia_min_k_pp", "mia_gradnorm"),
                    m.stream().map(MetricValue::name).toList());
            assertEquals(4, m.get(4).perExample().length, "GradNorm of the same four texts");
            assertEquals(4, loss.perExample().length, "the four holdout privleak texts (holdout has no questions)");
            for (int i = 0; i < 4; i++) {
                double[] lp = logProbs(model, tokenizer, d.muse(Split.HOLDOUT).privleak().get(i).text());
                assertEquals(MiaScores.loss(lp), loss.perExample()[i], 1e-5);
                assertEquals(MiaScores.minK(lp), minK.perExample()[i], 1e-5);
            }
        }
    }

    @Test
    void onQuestionsMinKReadsTheAnswerWithoutItsEosAsOpenUnlearningsTokenwiseLogprobsWhileLossKeepsIt() {
        List<QaExample> examples = List.of(
                new QaExample("Where does Kalo live?", "Kalo lives in Torvel by the sea near the old mill.",
                        "q", "a", List.of(), "Kalo", "city"),
                new QaExample("What does Mira write?", "Mira writes long songs about rivers and hills.",
                        "q", "a", List.of(), "Mira", "work"));
        WordTokenizer tokenizer = WordTokenizer.fit(examples.stream().flatMap(e -> e.texts().stream()).toList());
        try (CausalLm model = CausalLm.initialize(new GptConfig(tokenizer.vocabSize(), 1, 16, 2, 64, 0f), 7,
                Device.cpu())) {
            List<MetricValue> m = new PrivacySuite(2, PrivacySuite.GradNorm.OFF).evaluate(model, tokenizer,
                    SplitData.of(Split.FORGET, examples));
            List<TokenLogProbs> scored = new AnswerScorer(model, tokenizer, 2).scoreAnswers(examples);
            for (int i = 0; i < examples.size(); i++) {
                TokenLogProbs all = scored.get(i);
                TokenLogProbs answer = all.withoutLast();
                assertEquals(MiaScores.loss(all.logProbs()), m.get(0).perExample()[i], 1e-12, "LOSS keeps <eos>");
                assertEquals(MiaScores.minK(answer.logProbs()), m.get(2).perExample()[i], 1e-12);
                assertEquals(MiaScores.minKPlusPlus(answer.logProbs(), answer.vocabMean(), answer.vocabStd()),
                        m.get(3).perExample()[i], 1e-12);
            }
        }
    }

    /** log p(x_t | <bos> x_<t) of every token of {@code text}, from one forward pass (no <eos>). */
    private static double[] logProbs(CausalLm model, WordTokenizer tokenizer, String text) {
        int[] words = tokenizer.encode(text);
        long[] ids = new long[words.length + 1];
        ids[0] = tokenizer.bosId();
        for (int i = 0; i < words.length; i++) {
            ids[i + 1] = words[i];
        }
        try (NDScope scope = new NDScope()) {
            NDArray logits = model.forward(model.manager().create(ids, new Shape(1, ids.length))).logits();
            float[] all = logits.logSoftmax(-1).toType(DataType.FLOAT32, false).toFloatArray();
            int vocab = tokenizer.vocabSize();
            double[] out = new double[words.length];
            for (int t = 0; t < words.length; t++) {
                out[t] = all[t * vocab + words[t]];
            }
            return out;
        }
    }
}
