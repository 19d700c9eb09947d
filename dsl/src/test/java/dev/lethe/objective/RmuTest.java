package dev.lethe.objective;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import dev.lethe.data.Split;
import dev.lethe.model.CausalLm;
import dev.lethe.model.GptConfig;
import dev.lethe.model.RolePattern;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * RMU on a float64 toy of width 3, against values computed by hand in Python (its math module and a port of
 * Java's SplittableRandom: SplitMix64, {@code nextDouble = (mix64(seed += 0x9e3779b97f4a7c15) >>> 11)·2^−53}),
 * and its gradient with respect to the hidden states against central finite differences.
 *
 * <p>Forget: one row of 3 positions, answer mask (0, 1, 0): a prompt position, an answer position, and padding at 2
 * (junk 9, −9, 9). Retain: two rows of 2 positions, answer masks (1, 1) and (1, 0): three real positions,
 * padding at row 1 position 1 (junk 7, 7, 7 against reference −5, 5, 1).
 */
class RmuTest {
    private static final double[] FORGET = {0.5, -1.0, 2.0, 1.5, 0.25, -0.75, 9.0, -9.0, 9.0};
    private static final double[] RETAIN = {0.1, 0.2, -0.3, 1.0, -2.0, 0.5, 0.0, 0.4, 0.8, 7.0, 7.0, 7.0};
    private static final double[] REF_RETAIN = {0.0, 0.5, -0.5, 1.2, -1.5, 0.0, 0.3, 0.3, 0.3, -5.0, 5.0, 1.0};
    private static final double[] FORGET_MASK = {0, 1, 0};
    private static final double[] RETAIN_MASK = {1, 1, 1, 0};
    private static final double[] REF_FORGET = new double[9];
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
    void theDirectionIsSplittableRandomsUniformsNormalised() {
        assertArrayEquals(new double[] {0.3971205182901063, 0.017102276703461525, 0.9176071087805258},
                Rmu.direction(7, 3), 1e-15);
        assertArrayEquals(new double[] {0.8981852552445777, 0.43879468084177686, 0.026878901134459787},
                Rmu.direction(0, 3), 1e-15);
        double[] u = Rmu.direction(42, 64);
        double norm = 0;
        for (double x : u) {
            norm += x * x;
        }
        assertEquals(1.0, norm, 1e-12);
        assertArrayEquals(u, Rmu.direction(42, 64), 0.0, "the same seed gives the same direction");
    }

    @Test
    void valueMatchesTheHandComputedOne() {
        // forget: sum over positions 0, 1 of sum_d (F - 2u)^2 / (3*2) = 1.4018845233144843
        // retain: sum over the 3 real positions of sum_d (R - RR)^2 / (3*3) = 0.11444444444444445
        double value = new Rmu(1, 2.0, 0.5, 7).loss(step(FORGET, RETAIN)).getDouble();
        assertEquals(1.4018845233144843 + 0.5 * 0.11444444444444445, value, 1e-12);
    }

    @Test
    void theDefaultsAreTheOfficialZephyrRunLayer8Of32C65Alpha1200Seed0() {
        // WMDP rmu/unlearn.py defaults layer_id 7 (0-based), layer_ids 5,6,7, param_ids 6 (mlp.down_proj); README
        // run --steering_coeffs 6.5,6.5 --alpha 1200,1200. The old defaults were the middle layer and alpha 100.
        Rmu rmu = Objectives.rmu();
        assertEquals(new Rmu(Rmu.QUARTER, 6.5, 1200, 0), rmu);
        assertEquals(8, rmu.layerIn(32), "model.layers[7] of Zephyr-7B is the output of block 8");
        assertEquals(List.of("role:mlp_down@5.weight", "role:mlp_down@6.weight", "role:mlp_down@7.weight"),
                rmu.trainableParametersIn(32), "the official run updates layers 5-7's MLP down-projection");
        assertEquals(3, rmu.layerIn(12));
        assertEquals(1, rmu.layerIn(4));
        assertEquals(1, rmu.layerIn(2));
        assertEquals(1, rmu.layerIn(1));
        assertEquals(6, new Rmu(Rmu.MIDDLE, 6.5, 1200, 0).layerIn(12));
        // the toy is a 2-block model whose hidden states are at layer 1 only: the forget term of the old
        // test (23.630052670846666 with alpha 100, so 12.185608226402222) plus 1200 times the retain term
        assertEquals(12.185608226402222 + 1200 * 0.11444444444444445, rmu.loss(step(FORGET, RETAIN)).getDouble(),
                1e-9);
        assertThrows(IllegalArgumentException.class, () -> rmu.loss(step(FORGET, RETAIN).layers(8)),
                "an 8-block model's quarter is layer 2, which the toy does not have");
    }

    @Test
    void gradientMatchesFiniteDifferencesAndPaddingGetsNone() {
        Rmu rmu = new Rmu(1, 2.0, 0.5, 7);
        NDArray forget = hidden(FORGET, 1);
        NDArray retain = hidden(RETAIN, 2);
        NDArray reference = hidden(REF_RETAIN, 2);
        forget.setRequiresGradient(true);
        retain.setRequiresGradient(true);
        reference.setRequiresGradient(true);
        try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
            ToyStep step = new ToyStep()
                    .withHidden(Split.FORGET, 1, forget, hidden(REF_FORGET, 1), FORGET_MASK)
                    .withHidden(Split.RETAIN, 1, retain, reference, RETAIN_MASK);
            gc.backward(rmu.loss(step));
        }
        double[] gf = forget.getGradient().toType(DataType.FLOAT64, false).toDoubleArray();
        double[] gr = retain.getGradient().toType(DataType.FLOAT64, false).toDoubleArray();
        double[] gref = reference.getGradient().toType(DataType.FLOAT64, false).toDoubleArray();
        double h = 1e-6;
        for (int i = 0; i < FORGET.length; i++) {
            double fd = (value(rmu, perturb(FORGET, i, h), RETAIN) - value(rmu, perturb(FORGET, i, -h), RETAIN)) / (2 * h);
            assertEquals(fd, gf[i], 1e-6, "d/d forget hidden " + i);
        }
        for (int i = 0; i < RETAIN.length; i++) {
            double fd = (value(rmu, FORGET, perturb(RETAIN, i, h)) - value(rmu, FORGET, perturb(RETAIN, i, -h))) / (2 * h);
            assertEquals(fd, gr[i], 1e-6, "d/d retain hidden " + i);
            assertEquals(0.0, gref[i], 0.0, "the reference's hidden states are a constant");
        }
        for (int d = 0; d < 3; d++) {
            assertEquals(0.0, gf[6 + d], 0.0, "forget padding");
            assertEquals(0.0, gr[9 + d], 0.0, "retain padding");
        }
        // the prompt position (answer mask 0 before the answer) counts: RMU reads every token
        assertEquals(2 * (FORGET[0] - 2 * Rmu.direction(7, 3)[0]) / 6, gf[0], 1e-12);
    }

    @Test
    void alphaZeroReadsNoRetainSplit() {
        ToyStep step = new ToyStep().withHidden(Split.FORGET, 1, hidden(FORGET, 1), hidden(REF_FORGET, 1),
                FORGET_MASK);
        assertEquals(1.4018845233144843, new Rmu(1, 2.0, 0, 7).loss(step).getDouble(), 1e-12);
    }

    @Test
    void runsOnFloat32HiddenStates() {
        ToyStep step = new ToyStep()
                .withHidden(Split.FORGET, 1, f32(hidden(FORGET, 1)), f32(hidden(REF_FORGET, 1)), FORGET_MASK)
                .withHidden(Split.RETAIN, 1, f32(hidden(RETAIN, 2)), f32(hidden(REF_RETAIN, 2)), RETAIN_MASK);
        NDArray loss = new Rmu(1, 2.0, 0.5, 7).loss(step);
        assertEquals(DataType.FLOAT32, loss.getDataType());
        assertEquals(1.4591067455367066, loss.getFloat(), 1e-5);
    }

    @Test
    void trainableParametersAreTheDownProjectionsOfBlocksLMinus2ToL() {
        assertEquals(List.of("role:mlp_down@1.weight", "role:mlp_down@2.weight", "role:mlp_down@3.weight"),
                Rmu.trainableParameters(4));
        assertEquals(List.of("role:mlp_down@0.weight"), Rmu.trainableParameters(1));
        assertThrows(IllegalArgumentException.class, () -> Rmu.trainableParameters(0));
        try (CausalLm model = CausalLm.initialize(new GptConfig(11, 4, 8, 2, 4, 0f), 1, Device.cpu())) {
            List<RolePattern> only = Rmu.trainableParameters(4).stream().map(RolePattern::parse).toList();
            assertEquals(List.of("h.1.mlp.c_proj.weight", "h.2.mlp.c_proj.weight", "h.3.mlp.c_proj.weight"),
                    model.weights().names().stream()
                            .filter(n -> only.stream().anyMatch(p -> p.matches(n, model.weights().rolesOf(n)))).toList(),
                    "in GPT-2's names");
        }
    }

    @Test
    void badParametersAreRejected() {
        assertThrows(IllegalArgumentException.class, () -> new Rmu(0, 6.5, 100, 0));
        assertThrows(IllegalArgumentException.class, () -> new Rmu(1, 0, 100, 0));
        assertThrows(IllegalArgumentException.class, () -> new Rmu(1, 6.5, -1, 0));
        assertThrows(IllegalArgumentException.class, () -> new Rmu(1, Double.NaN, 100, 0));
    }

    private double value(Rmu rmu, double[] forget, double[] retain) {
        return rmu.loss(step(forget, retain)).getDouble();
    }

    private ToyStep step(double[] forget, double[] retain) {
        return new ToyStep()
                .withHidden(Split.FORGET, 1, hidden(forget, 1), hidden(REF_FORGET, 1), FORGET_MASK)
                .withHidden(Split.RETAIN, 1, hidden(retain, 2), hidden(REF_RETAIN, 2), RETAIN_MASK);
    }

    private NDArray hidden(double[] values, int rows) {
        return manager.create(values, new Shape(rows, values.length / 3 / rows, 3));
    }

    private static NDArray f32(NDArray a) {
        return a.toType(DataType.FLOAT32, false);
    }

    private static double[] perturb(double[] values, int index, double delta) {
        double[] out = values.clone();
        out[index] += delta;
        return out;
    }
}
