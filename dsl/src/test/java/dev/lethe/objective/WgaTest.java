package dev.lethe.objective;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.training.GradientCollector;
import dev.lethe.data.Split;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * WGA on ObjectiveValuesTest's forget toy (logits [[1, 2, 0], [0.5, 0.5, 1.5]], targets (1, 2): token
 * log-probabilities lp = (−0.4076059644443806, −0.5514447139320513)) against values computed by hand with
 * Python's math module, {@code sum(exp(b*l)*l for l in lp)/len(lp)}, and its gradient against central finite
 * differences of the loss with the weights held at their unperturbed values (they are detached by design).
 */
class WgaTest {
    private static final double[] FORGET = {1, 2, 0, 0.5, 0.5, 1.5};
    private static final long[] TARGETS = {1, 2};
    private NDManager manager;

    @BeforeEach
    void open() {
        manager = NDManager.newBaseManager();
    }

    @AfterEach
    void close() {
        manager.close();
    }

    private ToyStep step(NDArray forget) {
        return new ToyStep().with(Split.FORGET, forget, TARGETS, ToyStep.logits(manager, new double[6]));
    }

    @Test
    void valueMatchesTheHandComputedOne() {
        NDArray logits = ToyStep.logits(manager, FORGET);
        assertEquals(-0.29442639603880744, new Wga(1).loss(step(logits)).getDouble(), 1e-12);
        assertEquals(-0.1430249475338043, new Wga(2.5).loss(step(logits)).getDouble(), 1e-12);
        assertEquals(new GradientAscent(Split.FORGET).loss(step(logits)).getDouble(),
                new Wga(0).loss(step(logits)).getDouble(), 1e-12, "β = 0 is token-averaged gradient ascent");
        assertEquals(new Wga(1), Objectives.KINDS.stream().filter(k -> k.name().equals("wga")).findFirst()
                .orElseThrow().defaults(), "open-unlearning's β = 1 by default");
    }

    @Test
    void theMeanIsOverTheBatchsAnswerTokensNotItsRows() {
        // row 0: the toy's two tokens; row 1: one answer token [0.2, −1, 0.3] (target 0, lp = −0.8781173641380797)
        // then padding with junk logits: (Σ over the 3 tokens of p·lp) / 3; the mean of row means is −0.3296704
        double[] rows = {1, 2, 0, 0.5, 0.5, 1.5, 0.2, -1, 0.3, 8, -8, 3};
        ToyStep step = new ToyStep().with(Split.FORGET, ToyStep.logits(manager, rows, 2), new long[] {1, 2, 0, 1},
                new double[] {1, 1, 1, 0}, ToyStep.logits(manager, new double[12], 2));
        assertEquals(-0.31792240796269994, new Wga(1).loss(step).getDouble(), 1e-12);
    }

    @Test
    void gradientMatchesFiniteDifferencesWithTheWeightsHeld() {
        for (double beta : new double[] {0, 1, 2.5}) {
            NDArray logits = ToyStep.logits(manager, FORGET);
            logits.setRequiresGradient(true);
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                gc.backward(new Wga(beta).loss(step(logits)));
            }
            double[] g = logits.getGradient().toType(DataType.FLOAT64, false).toDoubleArray();
            double[] weights = new double[TARGETS.length];
            for (int t = 0; t < TARGETS.length; t++) {
                weights[t] = Math.exp(beta * logProb(FORGET, t));
            }
            double h = 1e-6;
            for (int i = 0; i < FORGET.length; i++) {
                double[] up = FORGET.clone();
                double[] down = FORGET.clone();
                up[i] += h;
                down[i] -= h;
                double fd = (heldLoss(up, weights) - heldLoss(down, weights)) / (2 * h);
                assertEquals(fd, g[i], 1e-8, "β = " + beta + ", d/d logit " + i);
            }
        }
    }

    @Test
    void aNegativeOrInfiniteBetaIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> new Wga(-0.1));
        assertThrows(IllegalArgumentException.class, () -> new Wga(Double.POSITIVE_INFINITY));
    }

    /** (1/N)·Σ_t w_t·log p_t with fixed weights: the function whose gradient WGA's is. */
    private static double heldLoss(double[] logits, double[] weights) {
        double sum = 0;
        for (int t = 0; t < TARGETS.length; t++) {
            sum += weights[t] * logProb(logits, t);
        }
        return sum / TARGETS.length;
    }

    /** log softmax(row t)[target t] over a vocabulary of 3. */
    private static double logProb(double[] logits, int t) {
        double z = 0;
        for (int v = 0; v < 3; v++) {
            z += Math.exp(logits[3 * t + v]);
        }
        return logits[3 * t + (int) TARGETS[t]] - Math.log(z);
    }
}
