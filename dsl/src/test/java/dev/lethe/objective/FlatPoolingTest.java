package dev.lethe.objective;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import dev.lethe.data.Split;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * FLAT's two poolings on a batch of two examples whose answers have different lengths, against values computed
 * by hand (awk, double precision, from the softmax probabilities below), and the batch-pooled form's gradient
 * against central finite differences.
 *
 * <p>Forget answers (vocabulary 3): row 0 has tokens p = e/(e+2) and e²/(e²+2); row 1 has one answer token
 * p = 1/(2+e) and a padding position. Refusal answers: row 0 has p = 1/3 and e/(2e+1); row 1 a prompt position
 * and p = e/(e+2). So P̄_f = (e/(e+2) + e²/(e²+2) + 1/(2+e))/3 = 0.52501482818150447 and
 * P̄_e = (1/3 + e/(2e+1) + e/(e+2))/3 = 0.44392300545022684 pooled over the batch's answer tokens, while
 * per example P_f = ((e/(e+2) + e²/(e²+2))/2, 1/(2+e)) and P_e = ((1/3 + e/(2e+1))/2, e/(e+2)).
 */
class FlatPoolingTest {
    private static final double[] FORGET = {1, 0, 0, 0, 2, 0, 0, 0, 1, 5, 5, 5};
    private static final long[] FORGET_TARGETS = {0, 1, 0, 2};
    private static final double[] FORGET_MASK = {1, 1, 1, 0};
    private static final double[] REFUSAL = {0, 0, 0, 1, 1, 0, 3, 0, 0, 0, 1, 0};
    private static final long[] REFUSAL_TARGETS = {2, 0, 1, 1};
    private static final double[] REFUSAL_MASK = {1, 1, 0, 1};
    private NDManager manager;

    @BeforeEach
    void open() {
        manager = NDManager.newBaseManager();
    }

    @AfterEach
    void close() {
        manager.close();
    }

    @Test
    void batchPoolingAppliesTheActivationToThePooledProbabilities() {
        // TV: tanh(P̄_f)/2 − tanh(P̄_e)/2; KL: e^{P̄_f − 1} − P̄_e (awk)
        assertEquals(0.032335129070171387,
                new Flat(Flat.Divergence.TOTAL_VARIATION, Flat.Pooling.BATCH).loss(step(FORGET, REFUSAL)).getDouble(),
                1e-12);
        assertEquals(0.17797127250765427,
                new Flat(Flat.Divergence.KL, Flat.Pooling.BATCH).loss(step(FORGET, REFUSAL)).getDouble(), 1e-12);
        // per example, the mean of (tanh(P_f)/2 − tanh(P_e)/2) over the two rows: a different number (awk)
        assertEquals(-0.019826047961797655,
                new Flat(Flat.Divergence.TOTAL_VARIATION).loss(step(FORGET, REFUSAL)).getDouble(), 1e-12);
    }

    @Test
    void perExampleIsTheDefaultAndOnlyItAccumulates() {
        assertEquals(new Flat(Flat.Divergence.TOTAL_VARIATION, Flat.Pooling.PER_EXAMPLE), Objectives.flat());
        assertTrue(new Flat(Flat.Divergence.KL).accumulates());
        Flat pooled = new Flat(Flat.Divergence.KL, Flat.Pooling.BATCH);
        assertFalse(pooled.accumulates(), "the pooled form couples the batch");
        assertThrows(UnsupportedOperationException.class, () -> pooled.microLoss(step(FORGET, REFUSAL), null));
    }

    @Test
    void batchPooledGradientMatchesFiniteDifferences() {
        for (Flat.Divergence d : Flat.Divergence.values()) {
            Flat flat = new Flat(d, Flat.Pooling.BATCH);
            NDArray forget = ToyStep.logits(manager, FORGET, 2);
            NDArray refusal = ToyStep.logits(manager, REFUSAL, 2);
            forget.setRequiresGradient(true);
            refusal.setRequiresGradient(true);
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                gc.backward(flat.loss(new ToyStep()
                        .with(Split.FORGET, forget, FORGET_TARGETS, FORGET_MASK, forget.stopGradient())
                        .withRefusal(Split.FORGET, refusal, REFUSAL_TARGETS, REFUSAL_MASK, refusal.stopGradient())));
            }
            double[] gf = forget.getGradient().toDoubleArray();
            double[] ge = refusal.getGradient().toDoubleArray();
            double h = 1e-6;
            for (int i = 0; i < FORGET.length; i++) {
                double fd = (value(flat, shift(FORGET, i, h), REFUSAL) - value(flat, shift(FORGET, i, -h), REFUSAL))
                        / (2 * h);
                assertEquals(fd, gf[i], 1e-7, d + " d/d forget logit " + i);
                double fe = (value(flat, FORGET, shift(REFUSAL, i, h)) - value(flat, FORGET, shift(REFUSAL, i, -h)))
                        / (2 * h);
                assertEquals(fe, ge[i], 1e-7, d + " d/d refusal logit " + i);
            }
            assertEquals(0.0, gf[9] + gf[10] + gf[11], 1e-15, "the padding position gets no gradient");
            assertTrue(Math.abs(gf[0]) > 1e-4, "the loss reaches the forget logits");
        }
    }

    private double value(Flat flat, double[] forget, double[] refusal) {
        return flat.loss(step(forget, refusal)).getDouble();
    }

    private static double[] shift(double[] values, int i, double h) {
        double[] out = values.clone();
        out[i] += h;
        return out;
    }

    private ToyStep step(double[] forget, double[] refusal) {
        NDArray f = ToyStep.logits(manager, forget, 2);
        NDArray r = ToyStep.logits(manager, refusal, 2);
        return new ToyStep().with(Split.FORGET, f, FORGET_TARGETS, FORGET_MASK, f)
                .withRefusal(Split.FORGET, r, REFUSAL_TARGETS, REFUSAL_MASK, r);
    }
}
