package dev.lethe.objective;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.training.GradientCollector;
import dev.lethe.data.Split;
import dev.lethe.optim.Schedule;
import dev.lethe.optim.Schedules;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Scheduled weights and split binding, on {@link ObjectiveValuesTest}'s toy (its hand values: avgNLL of the
 * forget answer 0.4795253391882155, of the retain answer 1.14286166429123; inverted hinge on retain
 * 0.7678911059444866; KL retain 0.2889193378689385).
 */
class ObjectiveAlgebraTest {
    private static final double NLL_FORGET = 0.4795253391882155;
    private static final double NLL_RETAIN = 1.14286166429123;
    private NDManager manager;

    @BeforeEach
    void open() {
        manager = NDManager.newBaseManager();
    }

    @AfterEach
    void close() {
        manager.close();
    }

    private ToyStep toy() {
        return new ToyStep()
                .with(Split.FORGET, ToyStep.logits(manager, new double[] {1, 2, 0, 0.5, 0.5, 1.5}), new long[] {1, 2},
                        ToyStep.logits(manager, new double[6]))
                .with(Split.RETAIN, ToyStep.logits(manager, new double[] {0.2, -1, 0.3, 1, 0, -1}), new long[] {0, 1},
                        ToyStep.logits(manager, new double[] {0, 0.5, -0.5, 0.3, 0.3, -0.6}));
    }

    @Test
    void aScheduledWeightIsTheSchedulesValueTimesTheLoss() {
        Schedule decay = Schedules.linearDecay(2.0);
        Objective weighted = Objectives.nll().on(Split.FORGET).times(decay);
        // η·(1 − t/T) = 2·(1 − 3/10) = 1.4 at step 3 of 10
        assertEquals(1.4, decay.at(3, 10), 1e-15);
        // 1e-7 relative: Scalars makes the weight a float (1.4 is not one), as for a constant weight
        assertEquals(1.4 * NLL_FORGET, weighted.loss(toy().at(3, 10)).getDouble(), 1e-7);
        assertEquals(2.0 * NLL_FORGET, weighted.loss(toy().at(0, 10)).getDouble(), 1e-12);
        assertEquals(0.0, weighted.loss(toy().at(10, 10)).getDouble(), 0.0);
        Objective lambda = Objectives.gradientAscent().times((step, total) -> step < 5 ? 0.0 : 0.5);
        assertEquals(0.0, lambda.loss(toy().at(4, 10)).getDouble(), 0.0);
        assertEquals(-0.5 * NLL_FORGET, lambda.loss(toy().at(5, 10)).getDouble(), 1e-12);
    }

    @Test
    void aScheduledWeightScalesTheGradient() {
        NDArray forget = ToyStep.logits(manager, new double[] {1, 2, 0, 0.5, 0.5, 1.5});
        double[] plain = gradient(forget, new Nll(Split.FORGET), 0);
        double[] scheduled = gradient(forget, new Nll(Split.FORGET).times(Schedules.linearDecay(3.0)), 2);
        // 3·(1 − 2/4) = 1.5
        for (int i = 0; i < plain.length; i++) {
            assertEquals(1.5 * plain[i], scheduled[i], 1e-12, "logit " + i);
        }
    }

    private double[] gradient(NDArray logits, Objective objective, long step) {
        NDArray x = logits.duplicate();
        x.setRequiresGradient(true);
        try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
            ToyStep s = new ToyStep().with(Split.FORGET, x, new long[] {1, 2}, ToyStep.logits(manager, new double[6]))
                    .at(step, 4);
            gc.backward(objective.loss(s));
        }
        return x.getGradient().toType(DataType.FLOAT64, false).toDoubleArray();
    }

    @Test
    void onChangesWhichSplitIsRead() {
        ToyStep step = toy();
        assertEquals(NLL_RETAIN, Objectives.nll().loss(step).getDouble(), 1e-12, "nll() reads retain");
        assertEquals(NLL_FORGET, Objectives.nll().on(Split.FORGET).loss(step).getDouble(), 1e-12);
        assertEquals(NLL_RETAIN, Objectives.nll(Split.FORGET, Split.RETAIN).on(Split.RETAIN).loss(step).getDouble(),
                1e-12, "on(split) replaces a union by the one split");
        assertEquals(-NLL_FORGET, Objectives.gradientAscent().loss(step).getDouble(), 1e-12);
        assertEquals(-NLL_RETAIN, Objectives.gradientAscent().on(Split.RETAIN).loss(step).getDouble(), 1e-12);
        assertEquals(0.7678911059444866, Objectives.invertedHinge().on(Split.RETAIN).loss(step).getDouble(), 1e-10);
        assertEquals(0.2889193378689385, Objectives.klRetain().on(Split.FORGET).on(Split.RETAIN).loss(step).getDouble(),
                1e-10);
        // forget logits against an all-zero reference: KL(uniform ‖ p) per position, averaged
        double kl = 0;
        double[][] rows = {{1, 2, 0}, {0.5, 0.5, 1.5}};
        for (double[] r : rows) {
            double z = Math.log(Math.exp(r[0]) + Math.exp(r[1]) + Math.exp(r[2]));
            for (double v : r) {
                kl += (Math.log(1.0 / 3) - (v - z)) / 3;
            }
        }
        assertEquals(kl / 2, Objectives.klRetain().on(Split.FORGET).loss(step).getDouble(), 1e-10);
        // the toy has no world split (it answers null): on(WORLD) must read it and fail
        assertThrows(NullPointerException.class, () -> Objectives.gradientAscent().on(Split.WORLD).loss(step));
    }

    @Test
    void onReturnsACopyBoundToTheSplit() {
        assertEquals(new KlRetain(Split.WORLD), Objectives.klRetain().on(Split.WORLD));
        assertEquals(new Idk(Split.RETAIN), Objectives.idk().on(Split.RETAIN));
        assertEquals(new InvertedHinge(Split.HOLDOUT), Objectives.invertedHinge().on(Split.HOLDOUT));
        assertEquals(new GradientAscent(Split.RETAIN), Objectives.gradientAscent().on(Split.RETAIN));
        assertEquals(new Nll(List.of(Split.WORLD)), Objectives.nll(Split.FORGET, Split.RETAIN).on(Split.WORLD));
        assertEquals(new KlRetain(Split.RETAIN), Objectives.klRetain(), "the original is unchanged");
    }
}
