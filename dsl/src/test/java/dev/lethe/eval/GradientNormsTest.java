package dev.lethe.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.index.NDIndex;
import dev.lethe.data.Encoded;
import dev.lethe.data.QaExample;
import dev.lethe.data.Split;
import dev.lethe.data.SplitData;
import dev.lethe.eval.stats.MiaScores;
import dev.lethe.model.CausalLm;
import dev.lethe.model.GptConfig;
import dev.lethe.model.WordTokenizer;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The GradNorm membership score: its gradients against finite differences, and where the privacy suite runs it. */
class GradientNormsTest {
    private static final List<QaExample> EXAMPLES = List.of(
            example("Where does Kalo live?", "Kalo lives in Torvel by the sea."),
            example("What does Mira write?", "Mira writes songs about rivers."));
    private static final WordTokenizer TOKENIZER = WordTokenizer.fit(
            EXAMPLES.stream().flatMap(e -> e.texts().stream()).toList());

    private static QaExample example(String question, String answer) {
        return new QaExample(question, answer, question, answer, List.of(), "someone", "fact");
    }

    private static CausalLm model() {
        return CausalLm.initialize(new GptConfig(TOKENIZER.vocabSize(), 1, 16, 2, 64, 0f), 11, Device.cpu());
    }

    /** −mean log p of the answer's tokens without the closing <eos>, the loss GradNorm differentiates. */
    private static double loss(CausalLm model, QaExample e) {
        double[] lp = new AnswerScorer(model, TOKENIZER, 1).scoreAnswers(List.of(e)).get(0).logProbs();
        double sum = 0;
        for (int t = 0; t < lp.length - 1; t++) {
            sum -= lp[t];
        }
        return sum / (lp.length - 1);
    }

    @Test
    void eachTensorNormIsTheNormOfTheLossGradientByCentralDifferences() {
        try (CausalLm model = model()) {
            QaExample e = EXAMPLES.get(0);
            Encoded encoded = Encoded.of(TOKENIZER, e.question(), e.answer());
            double[] l2 = GradientNorms.tensorNorms(model, TOKENIZER, encoded, PrivacySuite.GradNorm.L2);
            double[] l1 = GradientNorms.tensorNorms(model, TOKENIZER, encoded, PrivacySuite.GradNorm.L1);
            double[] max = GradientNorms.tensorNorms(model, TOKENIZER, encoded, PrivacySuite.GradNorm.LINF);
            List<String> names = new ArrayList<>(model.weights().names());
            int at = names.indexOf("ln_f.bias");
            NDArray bias = model.weights().get("ln_f.bias");
            float[] b = bias.toFloatArray();
            double h = 1e-2;
            double squares = 0;
            double sum = 0;
            double largest = 0;
            for (int i = 0; i < b.length; i++) {
                bias.set(new NDIndex(i), b[i] + h);
                double up = loss(model, e);
                bias.set(new NDIndex(i), b[i] - h);
                double down = loss(model, e);
                bias.set(new NDIndex(i), b[i]);
                double g = (up - down) / (2 * h);
                squares += g * g;
                sum += Math.abs(g);
                largest = Math.max(largest, Math.abs(g));
            }
            assertEquals(Math.sqrt(squares), l2[at], 2e-3 * Math.sqrt(squares));
            assertEquals(sum, l1[at], 2e-3 * sum);
            assertEquals(largest, max[at], 2e-3 * largest);
            assertEquals(names.size(), l2.length, "one norm per trained tensor");
            double[] scores = GradientNorms.scores(model, TOKENIZER, List.of(encoded), PrivacySuite.GradNorm.L2);
            assertEquals(MiaScores.gradNorm(l2), scores[0], 1e-12);
        }
    }

    @Test
    void theScoreIsTheSameForAFrozenCopyAndLeavesNoGradientBehind() {
        try (CausalLm model = model(); CausalLm frozen = model.frozenCopy()) {
            List<Encoded> encoded = Encoded.all(TOKENIZER, EXAMPLES);
            double[] trained = GradientNorms.scores(model, TOKENIZER, encoded, PrivacySuite.GradNorm.L2);
            double[] copied = GradientNorms.scores(frozen, TOKENIZER, encoded, PrivacySuite.GradNorm.L2);
            assertEquals(trained[0], copied[0], 1e-6 * trained[0]);
            assertEquals(trained[1], copied[1], 1e-6 * trained[1]);
            model.weights().forEach((name, w) -> assertEquals(0f, w.getGradient().abs().max().getFloat(), 0f, name));
        }
    }

    @Test
    void thePrivacySuiteScoresGradNormOnForgetAndHoldoutOnlyUnlessOff() {
        try (CausalLm model = model()) {
            SplitData forget = SplitData.of(Split.FORGET, EXAMPLES);
            List<MetricValue> m = new PrivacySuite(2).evaluate(model, TOKENIZER, forget);
            assertEquals(PrivacySuite.SCORES, m.stream().map(MetricValue::metric).toList());
            double[] expected = GradientNorms.scores(model, TOKENIZER, Encoded.all(TOKENIZER, EXAMPLES),
                    PrivacySuite.GradNorm.L2);
            assertEquals(expected[0], m.get(4).perExample()[0], 1e-6 * expected[0]);
            assertEquals(expected[1], m.get(4).perExample()[1], 1e-6 * expected[1]);
            assertEquals(4, new PrivacySuite(2).evaluate(model, TOKENIZER, SplitData.of(Split.RETAIN, EXAMPLES))
                    .size(), "retain has no GradNorm: no AUC reads it");
            PrivacySuite off = new PrivacySuite(2, PrivacySuite.GradNorm.OFF);
            assertEquals(4, off.evaluate(model, TOKENIZER, forget).size());
            assertTrue(!off.metrics().contains(PrivacySuite.GRAD_NORM));
        }
    }
}
