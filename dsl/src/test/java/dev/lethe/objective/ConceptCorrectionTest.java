package dev.lethe.objective;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import dev.lethe.data.Split;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Concept-domain correction: the generator loss against hand-computed values (with Python's math module),
 * its gradient with respect to the pooled features and the hidden states against central finite
 * differences, one discriminator update per step, and a discriminator that learns to separate separable
 * features.
 *
 * <p>Toy hidden states (B = 2, T = 2, W = 3) after block 2, answer masks [1, 1] and [1, 0] (so the second
 * row's last position is padding and is left out of the pooling): forget rows pool to f_1 = (2, 1, 1),
 * f_2 = (−1, 0.5, 0); holdout (anchor) rows to a_1 = (1, 0, 0), a_2 = (−2, 2, 1).
 */
class ConceptCorrectionTest {
    private static final double[] FORGET = {1, 0, 2, 3, 2, 0, -1, 0.5, 0, 9, 9, 9};
    private static final double[] ANCHOR = {0, 1, -1, 2, -1, 1, -2, 2, 1, 7, 7, 7};
    private static final double[] MASK = {1, 1, 1, 0};
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
    void generatorLossIsTheFlippedLabelLogLossOfAFixedDiscriminator() {
        // s = w·f + b: 0.5 + 0.5 + 0.1 = 1.1 and −0.5 − 0.5 + 0.1 = −0.9; ½(sp(−1.1) + sp(0.9))
        NDArray f = manager.create(new double[] {1, 0, 2, -1, 0.5, 0}, new Shape(2, 3));
        double loss = ConceptCorrection.generatorLoss(f, new double[] {0.5, -1, 0.25}, 0.1).getDouble();
        assertEquals(0.7642445999237593, loss, 1e-8); // DJL's softplus: about 1e-9 relative
        assertEquals(Math.log(2), ConceptCorrection.generatorLoss(f, new double[0], 0).getDouble(), 1e-8,
                "an untrained discriminator says ½ to everything");
    }

    @Test
    void theObjectiveUpdatesTheDiscriminatorOncePerStepThenScoresTheForgetFeatures() {
        ConceptCorrection cc = new ConceptCorrection(Split.HOLDOUT, ConceptCorrection.LAST, 0.2, 0.01, 1);
        // from w = 0, b = 0: one step gives w = (η/4)·(mean a − mean f) = (−0.05, 0.0125, 0), b = 0, and
        // L = ½(sp(0.0875) + sp(−0.05625))
        assertEquals(0.7016357714520234, cc.loss(toy(0)).getDouble(), 1e-8);
        assertArrayEquals(new double[] {-0.05, 0.0125, 0}, ((LogisticDiscriminator) cc.discriminator()).weights(), 1e-15);
        assertEquals(0.7016357714520234, cc.loss(toy(0)).getDouble(), 1e-8, "the same step: no second update");
        // a second step's update, with σ(s) ≠ ½ and the decay term (Python: the formula of LogisticDiscriminator)
        assertEquals(0.710754176673605, cc.loss(toy(1)).getDouble(), 1e-8);
        assertArrayEquals(new double[] {-0.09326514777689968, 0.022595645529027437, -0.0004674159701077374},
                ((LogisticDiscriminator) cc.discriminator()).weights(), 1e-15);
        assertEquals(-0.000545485810251245, ((LogisticDiscriminator) cc.discriminator()).bias(), 1e-15);
        assertEquals(0.7016357714520234, cc.loss(toy(0)).getDouble(), 1e-8,
                "going back to step 0 (a new run) starts a fresh discriminator");
    }

    @Test
    void gradientWithRespectToTheHiddenStatesMatchesFiniteDifferences() {
        ConceptCorrection cc = new ConceptCorrection(Split.HOLDOUT, 2, 0.2, 0.01, 3);
        cc.loss(toy(0)); // trains the discriminator for step 0; later evaluations at step 0 hold it fixed
        NDArray hidden = manager.create(FORGET, new Shape(2, 2, 3));
        hidden.setRequiresGradient(true);
        try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
            gc.backward(cc.loss(toy(0, hidden)));
        }
        double[] g = hidden.getGradient().toDoubleArray();
        double h = 1e-6;
        for (int i = 0; i < FORGET.length; i++) {
            double[] up = FORGET.clone();
            double[] down = FORGET.clone();
            up[i] += h;
            down[i] -= h;
            double fd = (cc.loss(toy(0, manager.create(up, new Shape(2, 2, 3)))).getDouble()
                    - cc.loss(toy(0, manager.create(down, new Shape(2, 2, 3)))).getDouble()) / (2 * h);
            assertEquals(fd, g[i], 1e-8, "d/d hidden " + i);
        }
        for (int i = 9; i < 12; i++) {
            assertEquals(0.0, g[i], 0.0, "the padding position gets no gradient");
        }
        assertTrue(Math.abs(g[0]) > 1e-4, "the loss reaches the hidden states");
    }

    @Test
    void generatorLossGradientWithRespectToTheFeaturesMatchesFiniteDifferences() {
        double[] w = {0.7, -0.4, 1.3};
        double b = -0.2;
        double[] f = {1, 0, 2, -1, 0.5, 0};
        NDArray features = manager.create(f, new Shape(2, 3));
        features.setRequiresGradient(true);
        try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
            gc.backward(ConceptCorrection.generatorLoss(features, w, b));
        }
        double[] g = features.getGradient().toDoubleArray();
        for (int i = 0; i < f.length; i++) {
            double[] up = f.clone();
            double[] down = f.clone();
            up[i] += 1e-6;
            down[i] -= 1e-6;
            double fd = (ConceptCorrection.generatorLoss(manager.create(up, new Shape(2, 3)), w, b).getDouble()
                    - ConceptCorrection.generatorLoss(manager.create(down, new Shape(2, 3)), w, b).getDouble()) / 2e-6;
            assertEquals(fd, g[i], 1e-8, "d/d f " + i);
            // closed form: −(1 − σ(s_j))·w_d / B
            int row = i / 3;
            double s = w[0] * f[3 * row] + w[1] * f[3 * row + 1] + w[2] * f[3 * row + 2] + b;
            assertEquals(-(1 - 1 / (1 + Math.exp(-s))) * w[i % 3] / 2, g[i], 1e-8);
        }
    }

    @Test
    void theDiscriminatorLearnsToSeparateSeparableFeatures() {
        // two clouds in 8 dimensions, apart along the first axis only, with unit noise elsewhere
        SplittableRandom r = new SplittableRandom(3);
        double[][] anchor = new double[40][8];
        double[][] forget = new double[40][8];
        for (int i = 0; i < 40; i++) {
            for (int d = 0; d < 8; d++) {
                anchor[i][d] = r.nextGaussian() + (d == 0 ? 3 : 0);
                forget[i][d] = r.nextGaussian() - (d == 0 ? 3 : 0);
            }
        }
        LogisticDiscriminator disc = new LogisticDiscriminator(0.05, 0);
        double previous = logLoss(disc, anchor, forget);
        assertEquals(Math.log(2), previous, 1e-12);
        for (int step = 0; step < 30; step++) {
            disc.update(anchor, forget);
            double loss = logLoss(disc, anchor, forget);
            assertTrue(loss < previous, "log-loss falls at every step: " + previous + " -> " + loss);
            previous = loss;
        }
        assertTrue(disc.accuracy(anchor, forget) >= 0.95, "accuracy " + disc.accuracy(anchor, forget));
        assertTrue(disc.weights()[0] > 5 * Math.abs(disc.weights()[1]), "it found the separating axis");
        assertThrows(IllegalArgumentException.class, () -> disc.update(new double[0][], forget));
    }

    private static double logLoss(LogisticDiscriminator disc, double[][] anchor, double[][] forget) {
        double a = 0;
        for (double[] x : anchor) {
            a += Math.log1p(Math.exp(-disc.logit(x)));
        }
        double f = 0;
        for (double[] x : forget) {
            f += Math.log1p(Math.exp(disc.logit(x)));
        }
        return (a / anchor.length + f / forget.length) / 2;
    }

    @Test
    void badArgumentsAreNamed() {
        assertThrows(IllegalArgumentException.class, () -> new ConceptCorrection(Split.FORGET, -1, 0.1, 0, 1));
        assertThrows(IllegalArgumentException.class, () -> new ConceptCorrection(Split.HOLDOUT, -1, 0, 0, 1));
        assertThrows(IllegalArgumentException.class, () -> new ConceptCorrection(Split.HOLDOUT, -1, 0.1, -1, 1));
        assertThrows(IllegalArgumentException.class, () -> new ConceptCorrection(Split.HOLDOUT, -1, 0.1, 0, 0));
    }

    private ToyStep toy(long index) {
        return toy(index, manager.create(FORGET, new Shape(2, 2, 3)));
    }

    private ToyStep toy(long index, NDArray forgetHidden) {
        NDArray anchor = manager.create(ANCHOR, new Shape(2, 2, 3));
        return new ToyStep().at(index, 10)
                .withHidden(Split.FORGET, 2, forgetHidden, forgetHidden, MASK)
                .withHidden(Split.HOLDOUT, 2, anchor, anchor, MASK);
    }
}
