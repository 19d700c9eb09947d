package dev.lethe.objective;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.training.GradientCollector;
import dev.lethe.data.Split;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * AltPO on a toy: one forget example (ObjectiveValuesTest's forget logits [[1, 2, 0], [0.5, 0.5, 1.5]], targets
 * (1, 2), reference logits 0) and K = 2 alternates: logits [[0.3, −0.2, 0.8], [−0.5, 1, 0.1]] (targets (2, 0)) and
 * [[0.2, 0.1, −0.3], [0, 0.4, 0.9]] (targets (0, 2), second position masked), reference [[0.1, 0.2, 0.3], [0.4, 0.5,
 * 0.6]] and [[0, 0, 0], [1, 1, 1]]. Expected values from open-unlearning's {@code compute_dpo_loss} re-typed in
 * PyTorch 2.13 (float64) on its shifted-label layout, with the question written as two rows (one per alternate, the
 * forget answer as the loser of each), as the authors' and open-unlearning's data do; the gradient against central
 * finite differences of the loss itself in every logit of the forget answer and of the alternates.
 */
class AltPoTest {
    private static final double[] FORGET = {1, 2, 0, 0.5, 0.5, 1.5};
    private static final double[] ALTERNATES = {0.3, -0.2, 0.8, -0.5, 1, 0.1, 0.2, 0.1, -0.3, 0, 0.4, 0.9};
    private static final double[] REF_ALTERNATES = {0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0, 0, 0, 1, 1, 1};
    private NDManager manager;

    @BeforeEach
    void open() {
        manager = NDManager.newBaseManager();
    }

    @AfterEach
    void close() {
        manager.close();
    }

    private ToyStep step(NDArray forget, NDArray alternates) {
        return new ToyStep().with(Split.FORGET, forget, new long[] {1, 2}, ToyStep.logits(manager, new double[6]))
                .withAlternates(Split.FORGET, alternates, new long[] {2, 0, 0, 2}, new double[] {1, 1, 1, 0},
                        ToyStep.logits(manager, REF_ALTERNATES, 2));
    }

    private double value(AltPo o, double[] forget, double[] alternates) {
        return o.loss(step(ToyStep.logits(manager, forget), ToyStep.logits(manager, alternates, 2))).getDouble();
    }

    private static AltPo altPo(double beta) {
        return new AltPo(beta, 2, 200, 1, 0);
    }

    @Test
    void valueMatchesOpenUnlearningsDpoOnOneRowPerAlternate() {
        // β = 0.1 enters the graph as a float32 scalar (Scalars.scalar): 1e-6
        assertEquals(15.2948707597989, value(altPo(0.1), FORGET, ALTERNATES), 1e-6);
        assertEquals(3.228048997432868, value(altPo(1), FORGET, ALTERNATES), 1e-12);
    }

    @Test
    void gradientMatchesFiniteDifferences() {
        NDArray forget = ToyStep.logits(manager, FORGET);
        NDArray alternates = ToyStep.logits(manager, ALTERNATES, 2);
        forget.setRequiresGradient(true);
        alternates.setRequiresGradient(true);
        try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
            gc.backward(altPo(0.5).loss(step(forget, alternates)));
        }
        double[] gf = forget.getGradient().toType(DataType.FLOAT64, false).toDoubleArray();
        double[] ga = alternates.getGradient().toType(DataType.FLOAT64, false).toDoubleArray();
        double h = 1e-6;
        for (int i = 0; i < FORGET.length; i++) {
            double[] up = FORGET.clone();
            double[] down = FORGET.clone();
            up[i] += h;
            down[i] -= h;
            double fd = (value(altPo(0.5), up, ALTERNATES) - value(altPo(0.5), down, ALTERNATES)) / (2 * h);
            assertEquals(fd, gf[i], 1e-7, "d/d forget logit " + i);
        }
        for (int i = 0; i < ALTERNATES.length; i++) {
            double[] up = ALTERNATES.clone();
            double[] down = ALTERNATES.clone();
            up[i] += h;
            down[i] -= h;
            double fd = (value(altPo(0.5), FORGET, up) - value(altPo(0.5), FORGET, down)) / (2 * h);
            assertEquals(fd, ga[i], 1e-7, "d/d alternate logit " + i);
        }
        assertEquals(0, ga[11], 1e-15, "a masked alternate position gets no gradient");
    }

    @Test
    void theKindHasTheAuthorsSamplingAndRefusesBadSettings() {
        assertEquals(new AltPo(0.1, 5, 200, 1, 0), Objectives.altPo());
        assertEquals(new Alternates(5, 200, 1, 0), new AltPo(0.1, 5, 200, 1, 0).alternates());
        assertEquals(new AltPo(0.5, 3, 20, 0.7, 4), AltPo.KIND.create(Map.of("beta", 0.5, "samples", 3,
                "max_new_tokens", 20, "temperature", 0.7, "seed", 4L)));
        assertEquals(new AltPo(0.05, 5, 200, 1, 0).plus(Objectives.nll().times(2)), Objectives.altPo(0.05, 2));
        assertTrue(Objectives.altPo().accumulates(), "a mean over forget examples, each with its own alternates");
        assertThrows(IllegalArgumentException.class, () -> new AltPo(0, 5, 200, 1, 0));
        assertThrows(IllegalArgumentException.class, () -> new AltPo(0.1, 0, 200, 1, 0));
        assertThrows(IllegalArgumentException.class, () -> new AltPo(0.1, 5, 0, 1, 0));
        assertThrows(IllegalArgumentException.class, () -> new AltPo(0.1, 5, 200, 0, 0));
    }
}
