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
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Oracle matching and datamodel matching (Georgiev et al. 2024, "Attribute-to-Delete", §3) on a toy of two answer
 * positions per split over a vocabulary of 3, against values computed with numpy from the formulas of
 * {@link LogitMatching}, and their gradients (with respect to the logits and to the weights of the λ term) against
 * central finite differences.
 *
 * <p>Trained logits: forget z_f = [[1, 2, 0], [0.5, 0.5, 1.5]], retain z_r = [[0.2, −1, 0.3], [1, 0, −1]]. Oracle:
 * forget [[0, 1, 1], [0.5, −0.5, 0]], retain [[0.2, −1, 0], [1, 0.5, −1]]. Start model (θ₀): forget all 0, retain
 * [[0, 0.5, −0.5], [0.3, 0.3, −0.6]]. Shifts: forget [[1, 0, −1], [0.5, 0.5, 0]], retain [[0, 0, 0.1], [−0.2, 0, 0]].
 * numpy: {@code mse = Σ_s ((z_s − ẑ_s)**2).mean(-1).sum() / 4}, {@code soft_ce = Σ_s −(softmax(ẑ_s)·log_softmax(z_s))
 * .sum(-1).sum() / 4}, with ẑ the oracle (oracle matching) or θ₀'s logits − m·shift (DMM).
 */
class MatchingObjectivesTest {
    private static final double[] FORGET = {1, 2, 0, 0.5, 0.5, 1.5};
    private static final double[] RETAIN = {0.2, -1, 0.3, 1, 0, -1};
    private static final double[] ORACLE_FORGET = {0, 1, 1, 0.5, -0.5, 0};
    private static final double[] ORACLE_RETAIN = {0.2, -1, 0, 1, 0.5, -1};
    private static final double[] START_FORGET = new double[6];
    private static final double[] START_RETAIN = {0, 0.5, -0.5, 0.3, 0.3, -0.6};
    private static final double[] SHIFT_FORGET = {1, 0, -1, 0.5, 0.5, 0};
    private static final double[] SHIFT_RETAIN = {0, 0, 0.1, -0.2, 0, 0};
    private static final double[] THETA = {1, 2};
    private static final double[] THETA0 = {0.5, 0};
    private static final List<Split> BOTH = List.of(Split.FORGET, Split.RETAIN);
    private NDManager manager;

    @BeforeEach
    void open() {
        manager = NDManager.newBaseManager();
    }

    @AfterEach
    void close() {
        manager.close();
    }

    static Stream<Arguments> cases() {
        return Stream.of(
                Arguments.of("oracle mse", new OracleMatching(BOTH, MatchLoss.MSE, 0), 0.5491666666666666),
                Arguments.of("oracle soft_ce", new OracleMatching(BOTH, MatchLoss.SOFT_CE, 0), 1.143262322379767),
                Arguments.of("oracle mse, forget only", new OracleMatching(List.of(Split.FORGET), MatchLoss.MSE, 0),
                        1.0416666666666665),
                // + λ‖θ − θ₀‖² = 0.1 · (0.25 + 4)
                Arguments.of("oracle mse λ=0.1", new OracleMatching(BOTH, MatchLoss.MSE, 0.1),
                        0.5491666666666666 + 0.425),
                Arguments.of("dmm mse m=1", new DatamodelMatching(BOTH, MatchLoss.MSE, 0, 1), 1.4041666666666668),
                Arguments.of("dmm soft_ce m=1", new DatamodelMatching(BOTH, MatchLoss.SOFT_CE, 0, 1),
                        1.3762365332341588),
                Arguments.of("dmm mse m=0.5", new DatamodelMatching(BOTH, MatchLoss.MSE, 0, 0.5), 1.1247916666666666),
                Arguments.of("dmm soft_ce m=0.5 λ=1", new DatamodelMatching(BOTH, MatchLoss.SOFT_CE, 1, 0.5),
                        1.3425991834984714 + 4.25));
    }

    private ToyStep step(NDArray forget, NDArray retain, NDArray theta) {
        return new ToyStep()
                .with(Split.FORGET, forget, new long[] {1, 2}, ToyStep.logits(manager, START_FORGET))
                .with(Split.RETAIN, retain, new long[] {0, 1}, ToyStep.logits(manager, START_RETAIN))
                .withOracle(Split.FORGET, ToyStep.logits(manager, ORACLE_FORGET))
                .withOracle(Split.RETAIN, ToyStep.logits(manager, ORACLE_RETAIN))
                .withShift(Split.FORGET, ToyStep.logits(manager, SHIFT_FORGET))
                .withShift(Split.RETAIN, ToyStep.logits(manager, SHIFT_RETAIN))
                .withWeights(theta, manager.create(THETA0));
    }

    private double value(Objective o, double[] forget, double[] retain, double[] theta) {
        return o.loss(step(ToyStep.logits(manager, forget), ToyStep.logits(manager, retain), manager.create(theta)))
                .getDouble();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void valueMatchesNumpy(String name, Objective objective, double expected) {
        // 1e-8 relative: the weights λ and m become float32 constants (Scalars), 0.1 is 0.1 + 1.5e-9 there
        assertEquals(expected, value(objective, FORGET, RETAIN, THETA), 1e-8 * Math.max(1, Math.abs(expected)), name);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void gradientMatchesFiniteDifferences(String name, Objective objective, double ignored) {
        NDArray forget = ToyStep.logits(manager, FORGET);
        NDArray retain = ToyStep.logits(manager, RETAIN);
        NDArray theta = manager.create(THETA);
        forget.setRequiresGradient(true);
        retain.setRequiresGradient(true);
        theta.setRequiresGradient(true);
        try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
            gc.backward(objective.loss(step(forget, retain, theta)));
        }
        double[] gf = forget.getGradient().toType(DataType.FLOAT64, false).toDoubleArray();
        double[] gr = retain.getGradient().toType(DataType.FLOAT64, false).toDoubleArray();
        double[] gt = theta.getGradient().toType(DataType.FLOAT64, false).toDoubleArray();
        double h = 1e-6;
        for (int i = 0; i < FORGET.length; i++) {
            double fd = (value(objective, plus(FORGET, i, h), RETAIN, THETA)
                    - value(objective, plus(FORGET, i, -h), RETAIN, THETA)) / (2 * h);
            assertEquals(fd, gf[i], 1e-7, name + " d/d forget logit " + i);
            double fr = (value(objective, FORGET, plus(RETAIN, i, h), THETA)
                    - value(objective, FORGET, plus(RETAIN, i, -h), THETA)) / (2 * h);
            assertEquals(fr, gr[i], 1e-7, name + " d/d retain logit " + i);
        }
        for (int i = 0; i < THETA.length; i++) {
            double ft = (value(objective, FORGET, RETAIN, plus(THETA, i, h))
                    - value(objective, FORGET, RETAIN, plus(THETA, i, -h))) / (2 * h);
            assertEquals(ft, gt[i], 1e-7, name + " d/d θ " + i);
        }
    }

    private static double[] plus(double[] x, int i, double h) {
        double[] y = x.clone();
        y[i] += h;
        return y;
    }

    @Test
    void matchingTheOracleExactlyCostsNothingAndTheTargetHasNoGradient() {
        NDArray forget = ToyStep.logits(manager, ORACLE_FORGET);
        forget.setRequiresGradient(true);
        ToyStep step = new ToyStep().with(Split.FORGET, forget, new long[] {1, 2}, ToyStep.logits(manager, START_FORGET))
                .withOracle(Split.FORGET, forget);
        try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
            NDArray loss = new OracleMatching(List.of(Split.FORGET), MatchLoss.MSE, 0).loss(step);
            assertEquals(0, loss.getDouble(), 0);
            gc.backward(loss);
        }
        for (double g : forget.getGradient().toType(DataType.FLOAT64, false).toDoubleArray()) {
            assertEquals(0, g, 0);
        }
    }

    @Test
    void maskedPositionsCountForNothing() {
        // a prompt position (mask 0) with wild logits first: the value is the oracle mse on the forget split alone
        double[] forget = {9, -9, 4, 1, 2, 0, 0.5, 0.5, 1.5};
        double[] oracle = {-7, 3, 3, 0, 1, 1, 0.5, -0.5, 0};
        ToyStep step = new ToyStep().with(Split.FORGET, ToyStep.logits(manager, forget), new long[] {0, 1, 2},
                        new double[] {0, 1, 1}, ToyStep.logits(manager, new double[9]))
                .withOracle(Split.FORGET, ToyStep.logits(manager, oracle));
        assertEquals(1.0416666666666665,
                new OracleMatching(List.of(Split.FORGET), MatchLoss.MSE, 0).loss(step).getDouble(), 1e-12);
    }

    @Test
    void kindsReadTheirDefaultsAndRefuseBadParameters() {
        assertEquals(new OracleMatching(BOTH, MatchLoss.MSE, 0), Objectives.oracleMatching());
        assertEquals(new DatamodelMatching(BOTH, MatchLoss.MSE, 0, 1), Objectives.datamodelMatching());
        assertEquals("{oracle_matching: {splits: [forget, retain], loss: mse, proximity: 0.0}}",
                Objectives.oracleMatching().toString());
        assertTrue(new DatamodelMatching(List.of(Split.FORGET), MatchLoss.SOFT_CE, 0.5, 2).toString()
                .contains("soft_ce"));
        assertThrows(IllegalArgumentException.class,
                () -> new OracleMatching(List.of(Split.FORGET, Split.FORGET), MatchLoss.MSE, 0));
        assertThrows(IllegalArgumentException.class, () -> new OracleMatching(BOTH, MatchLoss.MSE, -1));
        assertThrows(IllegalArgumentException.class, () -> new DatamodelMatching(BOTH, MatchLoss.MSE, 0, Double.NaN));
    }
}
