package dev.lethe.objective;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import dev.lethe.data.Split;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import java.util.stream.Stream;

/**
 * Each objective on a 2-token toy against a value computed by hand (with Python's math module, from the
 * formulas in the Javadoc), and its gradient with respect to the logits against central finite
 * differences.
 *
 * <p>Forget logits: [[1, 2, 0], [0.5, 0.5, 1.5]], targets (1, 2): log π = −0.959050678376431.
 * Retain logits: [[0.2, −1, 0.3], [1, 0, −1]], targets (0, 1): log π = −2.28572332858246.
 * Reference logits all 0 (log π_ref = −2·ln 3), same targets as forget.
 */
class ObjectiveValuesTest {
    private static final double[] FORGET = {1, 2, 0, 0.5, 0.5, 1.5};
    private static final double[] RETAIN = {0.2, -1, 0.3, 1, 0, -1};
    private static final long[] FORGET_TARGETS = {1, 2};
    private static final long[] RETAIN_TARGETS = {0, 1};
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
                Arguments.of("GA", new GradientAscent(Split.FORGET), -0.4795253391882155),
                Arguments.of("NLL forget", new Nll(Split.FORGET), 0.4795253391882155),
                Arguments.of("NLL retain", new Nll(Split.RETAIN), 1.14286166429123),
                Arguments.of("NLL union", new Nll(java.util.List.of(Split.FORGET, Split.RETAIN)),
                        (0.4795253391882155 + 1.14286166429123) / 2),
                Arguments.of("GradDiff α=1", new GradDiff(1.0), 0.6633363251030144),
                Arguments.of("GradDiff α=0.5", new GradDiff(0.5), 0.09190549295739947),
                Arguments.of("NPO β=0.1", new Npo(0.1), 15.139419917777083),
                Arguments.of("NPO β=1", new Npo(1.0), 2.9854975720730255),
                Arguments.of("GA + 0.5·NLL(retain) via combinators",
                        new GradientAscent(Split.FORGET).plus(new Nll(Split.RETAIN).times(0.5)),
                        0.09190549295739947));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void valueMatchesTheHandComputedOne(String name, Objective objective, double expected) {
        double value = evaluate(objective, FORGET, RETAIN).getDouble();
        // 1e-8 relative: DJL's softplus loses about 1e-9 relative even in float64
        assertEquals(expected, value, 1e-8 * Math.max(1, Math.abs(expected)), name);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void gradientMatchesFiniteDifferences(String name, Objective objective, double ignored) {
        NDArray forget = ToyStep.logits(manager, FORGET);
        NDArray retain = ToyStep.logits(manager, RETAIN);
        forget.setRequiresGradient(true);
        retain.setRequiresGradient(true);
        try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
            NDArray loss = objective.loss(step(forget, retain));
            gc.backward(loss);
        }
        // an objective that does not touch a split leaves its gradient undefined; DJL then returns float32 zeros
        double[] gf = forget.getGradient().toType(ai.djl.ndarray.types.DataType.FLOAT64, false).toDoubleArray();
        double[] gr = retain.getGradient().toType(ai.djl.ndarray.types.DataType.FLOAT64, false).toDoubleArray();
        double h = 1e-6;
        for (int i = 0; i < FORGET.length; i++) {
            int k = i;
            assertEquals(finiteDifference(objective, v -> perturb(FORGET, k, v), v -> RETAIN, h), gf[i], 1e-6,
                    name + " d/d forget logit " + i);
            assertEquals(finiteDifference(objective, v -> FORGET, v -> perturb(RETAIN, k, v), h), gr[i], 1e-6,
                    name + " d/d retain logit " + i);
        }
    }

    private double finiteDifference(Objective objective, Function<Double, double[]> forget,
            Function<Double, double[]> retain, double h) {
        double up = evaluate(objective, forget.apply(h), retain.apply(h)).getDouble();
        double down = evaluate(objective, forget.apply(-h), retain.apply(-h)).getDouble();
        return (up - down) / (2 * h);
    }

    private static double[] perturb(double[] values, int index, double delta) {
        double[] out = values.clone();
        out[index] += delta;
        return out;
    }

    private NDArray evaluate(Objective objective, double[] forget, double[] retain) {
        return objective.loss(step(ToyStep.logits(manager, forget), ToyStep.logits(manager, retain)));
    }

    private ToyStep step(NDArray forget, NDArray retain) {
        NDArray zeros = ToyStep.logits(manager, new double[6]);
        return new ToyStep().with(Split.FORGET, forget, FORGET_TARGETS, zeros)
                .with(Split.RETAIN, retain, RETAIN_TARGETS, zeros);
    }
}
