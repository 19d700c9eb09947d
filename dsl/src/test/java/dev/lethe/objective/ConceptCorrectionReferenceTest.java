package dev.lethe.objective;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import dev.lethe.Lethe;
import dev.lethe.data.Split;
import dev.lethe.spec.Unlearning;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Concept-domain correction as DoCo's reference code plays it (issue 16): the anchor's features from the frozen
 * reference, the MLP discriminator (its hand-written backpropagation and the generator loss's autograd graph,
 * both against central finite differences) and the discriminator warm-up. The toy is
 * {@link ConceptCorrectionTest}'s (B = 2, T = 2, W = 3, masks [1, 1] and [1, 0]).
 */
class ConceptCorrectionReferenceTest {
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
    void theAnchorFeaturesComeFromTheFrozenReferenceNotTheTrainedModel() {
        // ConceptCorrectionTest's hand-computed first step (w = (−0.05, 0.0125, 0), L = 0.7016357714520234) uses
        // the anchor rows ANCHOR; here only the reference has them, and the trained model's anchor states are
        // something else entirely. On the old code (anchor features from the trained model) the weights differ.
        double[] trained = {50, -40, 30, 20, 10, 0, -5, 5, 5, 1, 1, 1};
        for (double[] anchorStates : new double[][] {ANCHOR, trained}) {
            ConceptCorrection cc = new ConceptCorrection(Split.HOLDOUT, ConceptCorrection.LAST, 0.2, 0.01, 1);
            assertEquals(0.7016357714520234, cc.loss(toy(0, anchorStates)).getDouble(), 1e-8);
            assertArrayEquals(new double[] {-0.05, 0.0125, 0},
                    ((LogisticDiscriminator) cc.discriminator()).weights(), 1e-15,
                    "the features do not change when the trained model's anchor states change");
        }
    }

    @Test
    void mlpDiscriminatorUpdateFollowsTheGradientOfItsLogLoss() {
        double[][] anchor = {{1, 0, 0}, {-2, 2, 1}};
        double[][] forget = {{2, 1, 1}, {-1, 0.5, 0}};
        double eta = 0.1;
        MlpDiscriminator disc = new MlpDiscriminator(4, eta, 0, 7);
        disc.update(anchor, forget); // sizes and initialises it, one step
        Map<String, double[]> before = disc.state();
        disc.update(anchor, forget);
        Map<String, double[]> after = disc.state();
        double h = 1e-6;
        int checked = 0;
        for (String name : new String[] {"w1", "b1", "w2", "b2"}) {
            for (int i = 0; i < before.get(name).length; i++) {
                double gradient = (before.get(name)[i] - after.get(name)[i]) / eta; // θ' = θ − η·∇J with λ = 0
                double fd = (logLoss(before, name, i, h, anchor, forget) - logLoss(before, name, i, -h, anchor, forget))
                        / (2 * h);
                assertEquals(fd, gradient, 1e-8, "dJ/d" + name + "[" + i + "]");
                checked++;
            }
        }
        assertEquals(4 * 3 + 4 + 4 + 1, checked);
    }

    @Test
    void mlpGeneratorLossMatchesTheJavaForwardAndItsGradientFiniteDifferences() {
        MlpDiscriminator disc = new MlpDiscriminator(5, 0.3, 0.001, 3);
        double[][] anchor = {{1, 0, 0}, {-2, 2, 1}};
        double[][] forget = {{2, 1, 1}, {-1, 0.5, 0}};
        for (int k = 0; k < 3; k++) {
            disc.update(anchor, forget);
        }
        double[] f = {2, 1, 1, -1, 0.5, 0};
        double expected = (softplus(-disc.logit(forget[0])) + softplus(-disc.logit(forget[1]))) / 2;
        NDArray features = manager.create(f, new Shape(2, 3));
        features.setRequiresGradient(true);
        try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
            NDArray loss = disc.generatorLoss(features);
            // DJL's softplus is about 1e-8 relative off the exact one (as in ConceptCorrectionTest)
            assertEquals(expected, loss.getDouble(), 1e-8, "the graph computes the Java forward pass");
            gc.backward(loss);
        }
        double[] g = features.getGradient().toDoubleArray();
        for (int i = 0; i < f.length; i++) {
            double[] up = f.clone();
            double[] down = f.clone();
            up[i] += 1e-6;
            down[i] -= 1e-6;
            double fd = (disc.generatorLoss(manager.create(up, new Shape(2, 3))).getDouble()
                    - disc.generatorLoss(manager.create(down, new Shape(2, 3))).getDouble()) / 2e-6;
            assertEquals(fd, g[i], 1e-8, "d/d f " + i);
        }
        assertTrue(Math.abs(g[0]) > 1e-6, "the loss reaches the features");
    }

    @Test
    void mlpObjectiveIsDeterministicAndItsStateRoundTrips() {
        ConceptCorrection a = mlp(0);
        ConceptCorrection b = mlp(0);
        double la = a.loss(toy(0, ANCHOR)).getDouble();
        assertEquals(la, b.loss(toy(0, ANCHOR)).getDouble(), 0.0, "the seed fixes the initial weights");
        ConceptCorrection resumed = mlp(0);
        resumed.restore(a.state());
        assertEquals(a.loss(toy(1, ANCHOR)).getDouble(), resumed.loss(toy(1, ANCHOR)).getDouble(), 0.0,
                "a restored discriminator trains on as before");
        Map<String, double[]> bad = new HashMap<>(a.state());
        bad.remove("w2");
        assertThrows(IllegalArgumentException.class, () -> mlp(0).restore(bad));
    }

    @Test
    void warmUpTrainsOnlyTheDiscriminator() {
        ConceptCorrection cc = mlp(2);
        double[] w2AfterStep0 = null;
        for (long step = 0; step < 3; step++) {
            NDArray hidden = manager.create(FORGET, new Shape(2, 2, 3));
            hidden.setRequiresGradient(true);
            NDArray loss;
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                loss = cc.loss(new ToyStep().at(step, 10).withHidden(Split.FORGET, 2, hidden, hidden, MASK)
                        .withHidden(Split.HOLDOUT, 2, manager.create(ANCHOR, new Shape(2, 2, 3)),
                                manager.create(ANCHOR, new Shape(2, 2, 3)), MASK));
                gc.backward(loss);
            }
            double[] g = hidden.getGradient().toDoubleArray();
            double norm = 0;
            for (double v : g) {
                norm += Math.abs(v);
            }
            if (step < 2) {
                assertEquals(0.0, loss.getDouble(), 0.0, "warm-up step " + step + ": no generator loss");
                assertEquals(0.0, norm, 0.0, "warm-up step " + step + ": a zero gradient leaves the weights alone");
            } else {
                assertTrue(loss.getDouble() > 0 && norm > 1e-6, "after the warm-up the model is trained");
            }
            if (step == 0) {
                w2AfterStep0 = cc.discriminator().state().get("w2");
            } else if (step == 1) {
                assertNotEquals(w2AfterStep0[0], cc.discriminator().state().get("w2")[0],
                        "the discriminator trains during the warm-up");
            }
        }
    }

    @Test
    void theNewOptionsRoundTripThroughRecipeFiles() {
        ConceptCorrection cc = mlp(3);
        String yaml = "name: o\nmodel: gpt\ndata: fictitious_facts\nstages: [{unlearn: {objective: {concept_correction: "
                + "{discriminator: mlp, hidden: 4, warmup_steps: 3, seed: 5, learning_rate: 0.2, weight_decay: 0.01, "
                + "layer: 2}}}}]\n";
        Objective read = Lethe.fromYaml(yaml).first(Unlearning.class).objective();
        assertEquals(cc, read);
        assertEquals(cc, Lethe.fromYaml(Lethe.toYaml(Lethe.fromYaml(yaml))).first(Unlearning.class).objective());
        assertEquals(new ConceptCorrection(Split.HOLDOUT, ConceptCorrection.LAST, 0.05, 0.001, 1),
                Objectives.conceptCorrection(), "linear, no warm-up by default");
    }

    private static ConceptCorrection mlp(long warmup) {
        return new ConceptCorrection(Split.HOLDOUT, 2, 0.2, 0.01, 1, ConceptCorrection.Adversary.MLP, 4, warmup, 5);
    }

    /** J of {@code state} with entry {@code i} of {@code name} moved by {@code h}. */
    private static double logLoss(Map<String, double[]> state, String name, int i, double h, double[][] anchor,
            double[][] forget) {
        Map<String, double[]> moved = new HashMap<>();
        state.forEach((k, v) -> moved.put(k, v.clone()));
        moved.get(name)[i] += h;
        MlpDiscriminator d = new MlpDiscriminator(4, 0.1, 0, 7);
        d.restore(moved);
        double a = 0;
        for (double[] x : anchor) {
            a += softplus(-d.logit(x));
        }
        double f = 0;
        for (double[] x : forget) {
            f += softplus(d.logit(x));
        }
        return (a / anchor.length + f / forget.length) / 2;
    }

    private static double softplus(double x) {
        return Math.max(x, 0) + Math.log1p(Math.exp(-Math.abs(x)));
    }

    /** The toy at step {@code index}: the trained model's anchor states {@code anchorStates}, the reference's ANCHOR. */
    private ToyStep toy(long index, double[] anchorStates) {
        NDArray forget = manager.create(FORGET, new Shape(2, 2, 3));
        return new ToyStep().at(index, 10)
                .withHidden(Split.FORGET, 2, forget, forget, MASK)
                .withHidden(Split.HOLDOUT, 2, manager.create(anchorStates, new Shape(2, 2, 3)),
                        manager.create(ANCHOR, new Shape(2, 2, 3)), MASK);
    }
}
