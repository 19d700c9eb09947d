package dev.lethe.objective;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.training.GradientCollector;
import dev.lethe.Lethe;
import dev.lethe.data.Split;
import dev.lethe.spec.Recipe;
import dev.lethe.spec.Unlearning;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.function.ToDoubleFunction;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * UNDIAL, SatImp, CE-U and PDU on ObjectiveValuesTest's toys (forget logits [[1, 2, 0], [0.5, 0.5, 1.5]], targets
 * (1, 2); retain [[0.2, −1, 0.3], [1, 0, −1]], targets (0, 1); reference forget logits [[0.1, 0.2, 0.3], [0.4, 0.5,
 * 0.6]]) against values computed with open-unlearning's formulas re-typed in PyTorch 2.13 (float64) from its
 * {@code compute_undial_loss}, {@code compute_satimp_loss}, {@code cross_entropy_unlearning_loss} /
 * {@code compute_batch_ceu} and {@code PDU.compute_loss}, on its shifted-label layout (logits[t] predict
 * labels[t+1], −100 where Lethe's mask is 0). Where open-unlearning averages over prompt and padding positions
 * (UNDIAL, PDU) the expected value is the answer-masked one, computed by hand in the same script, and the
 * open-unlearning value is noted. Gradients against central finite differences, with the detached parts (SatImp's
 * weights, CE-U's target) held at their unperturbed values.
 */
class OpenUnlearningObjectivesTest {
    private static final double[] FORGET = {1, 2, 0, 0.5, 0.5, 1.5};
    private static final double[] REF_FORGET = {0.1, 0.2, 0.3, 0.4, 0.5, 0.6};
    private static final double[] RETAIN = {0.2, -1, 0.3, 1, 0, -1};
    private static final long[] FORGET_TARGETS = {1, 2};
    private static final long[] RETAIN_TARGETS = {0, 1};
    /** Two rows: the forget toy, then one answer token [0.2, −1, 0.3] (target 0) and a padding position. */
    private static final double[] ROWS = {1, 2, 0, 0.5, 0.5, 1.5, 0.2, -1, 0.3, 8, -8, 3};
    private static final double[] REF_ROWS = {0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0, 0.5, -0.5, 0.3, 0.3, -0.6};
    private static final long[] ROW_TARGETS = {1, 2, 0, 1};
    private static final double[] ROW_MASK = {1, 1, 1, 0};
    private NDManager manager;

    @BeforeEach
    void open() {
        manager = NDManager.newBaseManager();
    }

    @AfterEach
    void close() {
        manager.close();
    }

    private ToyStep step(double[] forget, double[] retain) {
        return step(ToyStep.logits(manager, forget), ToyStep.logits(manager, retain));
    }

    private ToyStep step(NDArray forget, NDArray retain) {
        return new ToyStep().with(Split.FORGET, forget, FORGET_TARGETS, ToyStep.logits(manager, REF_FORGET))
                .with(Split.RETAIN, retain, RETAIN_TARGETS, ToyStep.logits(manager, new double[6]));
    }

    private ToyStep rows() {
        return new ToyStep().with(Split.FORGET, ToyStep.logits(manager, ROWS, 2), ROW_TARGETS, ROW_MASK,
                ToyStep.logits(manager, REF_ROWS, 2));
    }

    private double value(Objective o, double[] forget) {
        return o.loss(step(forget, RETAIN)).getDouble();
    }

    @Test
    void undialMatchesOpenUnlearningOnAnswerPositions() {
        assertEquals(1.3134128424215423, value(new Undial(0), FORGET), 1e-12);
        assertEquals(1.5466075753751065, value(new Undial(1), FORGET), 1e-12);
        assertEquals(1.7544116652540838, value(new Undial(10), FORGET), 1e-12);
        // open-unlearning's mean over all four positions (padding included) would be 1.6724343612247992
        assertEquals(1.7457665761645789, new Undial(10).loss(rows()).getDouble(), 1e-12);
        assertEquals(new Undial(10), Objectives.undial(), "open-unlearning's β = 10 by default");
    }

    @Test
    void satImpMatchesOpenUnlearning() {
        assertEquals(-0.016306421409217918, value(new SatImp(5, 1), FORGET), 1e-12);
        assertEquals(-0.010353474467795519, value(new SatImp(2, 3), FORGET), 1e-12);
        assertEquals(value(new Wga(1), FORGET), value(new SatImp(1, 0), FORGET), 1e-12, "β2 = 0 is WGA");
        assertEquals(-0.012991066644292988, new SatImp(5, 1).loss(rows()).getDouble(), 1e-12,
                "pooled over the batch's answer tokens");
        assertEquals(new SatImp(5, 1), Objectives.satImp());
    }

    @Test
    void ceUMatchesOpenUnlearningAndSkipsTheFirstAnswerToken() {
        assertEquals(1.6139960498732135, value(new CeU(0), FORGET), 1e-12);
        assertEquals(1.551444713932051, value(new CeU(1), FORGET), 1e-12);
        // row 0 keeps its second token; row 1's only answer token is skipped; the padding never counts
        assertEquals(1.551444713932051, new CeU(1).loss(rows()).getDouble(), 1e-12);
        String none = assertThrows(IllegalArgumentException.class, () -> value(new CeU(2), FORGET)).getMessage();
        assertTrue(none.contains("no answer position"), none);
        assertFalse(new CeU(1).accumulates(), "its token count is not the mask's");
        assertEquals(new CeU(1), Objectives.ceU());
    }

    @Test
    void pduIsTheWeightedFlatteningPlusTheConstraintAndMovesLambdaOncePerStep() {
        // L_f = 0.7222222222222222 (both positions), token-mean retain NLL 1.1428616642912302; ε and λ enter the graph
        // as float32 scalars (Scalars.scalar), hence tolerances of 1e-6 on λ and 1e-5 on losses near 100
        Pdu pdu = new Pdu(1, 100, 5, 0.3, 0);
        assertEquals(85.00838865134524, pdu.loss(step(FORGET, RETAIN).at(0, 4)).getDouble(), 1e-5);
        assertEquals(104.21430832145614, pdu.lambda(), 1e-6, "λ1 = max(0, λ0 + η·(L_r − ε))");
        assertEquals(85.00838865134524, pdu.loss(step(FORGET, RETAIN).at(0, 4)).getDouble(), 1e-5,
                "a second evaluation of step 0 (SPSA, SAM) keeps λ0 and does not move λ again");
        assertEquals(104.21430832145614, pdu.lambda(), 1e-6);
        Pdu twice = new Pdu(2, 100, 5, 0.3, 0);
        twice.loss(step(FORGET, RETAIN).at(0, 4));
        assertEquals(89.28268979922636, twice.loss(step(FORGET, RETAIN).at(1, 4)).getDouble(), 1e-5,
                "step 1: γ·L_f + λ1·(L_r − ε)");
        Pdu projected = new Pdu(1, 100, 1000, 2.0, 0);
        assertEquals(-84.99161134865476, projected.loss(step(FORGET, RETAIN).at(0, 4)).getDouble(), 1e-5);
        assertEquals(0, projected.lambda(), "projected onto λ ≥ 0");
        // the masked forget term: 0.554074074074074 (open-unlearning's mean over every position: 12.665555555555555)
        assertEquals(0.554074074074074, Pdu.flattening(rows().scores(Split.FORGET)).getDouble(), 1e-12);
        assertFalse(pdu.accumulates());
    }

    @Test
    void pduWarmsUpResumesAndRestartsWithANewStage() {
        Pdu pdu = Objectives.pdu();
        assertEquals(new Pdu(1, 100, 5, 0.3, 0.5), pdu, "open-unlearning's TOFU settings");
        for (long s = 0; s < 2; s++) {
            pdu.loss(step(FORGET, RETAIN).at(s, 4));
            assertEquals(100, pdu.lambda(), "no dual update in the first half of the steps");
        }
        pdu.loss(step(FORGET, RETAIN).at(2, 4));
        assertEquals(104.21430832145614, pdu.lambda(), 1e-6, "step 2 of 4 is past the warm-up");
        Map<String, double[]> state = pdu.state();
        Pdu resumed = Objectives.pdu();
        resumed.restore(state);
        assertEquals(pdu.lambda(), resumed.lambda());
        assertEquals(pdu.loss(step(FORGET, RETAIN).at(3, 4)).getDouble(),
                resumed.loss(step(FORGET, RETAIN).at(3, 4)).getDouble(), 0, "a resumed run continues with the same λ");
        assertEquals(pdu, resumed, "equality is by configuration");
        resumed.loss(step(FORGET, RETAIN).at(0, 4));
        assertEquals(100, resumed.lambda(), "a step index that goes back starts λ again (a new stage)");
        assertThrows(IllegalArgumentException.class, () -> resumed.restore(Map.of("lambda", new double[] {1})));
        assertThrows(IllegalArgumentException.class, () -> new Pdu(1, 100, 5, 0.3, 1.5));
        assertThrows(IllegalArgumentException.class, () -> new Pdu(1, -1, 5, 0.3, 0));
    }

    @Test
    void gradientsMatchFiniteDifferences() {
        check("UNDIAL β=10", new Undial(10), f -> value(new Undial(10), f));
        check("UNDIAL β=1", new Undial(1), f -> value(new Undial(1), f));
        double[] p = probabilities(FORGET);
        for (double[] b : new double[][] {{5, 1}, {2, 3}}) {
            double[] w = new double[2];
            for (int t = 0; t < 2; t++) {
                w[t] = Math.pow(p[t], b[0]) * Math.pow(1 - p[t], b[1]);
            }
            check("SatImp " + b[0] + "," + b[1], new SatImp(b[0], b[1]),
                    f -> (w[0] * logProb(f, 0) + w[1] * logProb(f, 1)) / 2);
        }
        for (int skip : new int[] {0, 1}) {
            double[][] q = removedTarget(FORGET);
            check("CE-U skip " + skip, new CeU(skip), f -> {
                double sum = 0;
                for (int t = skip; t < 2; t++) {
                    for (int v = 0; v < 3; v++) {
                        sum -= q[t][v] * logSoftmax(f, t, v);
                    }
                }
                return sum / (2 - skip);
            });
        }
        // PDU in both splits' logits: λ is fixed within a step, so the loss is an ordinary function of them
        check("PDU forget logits", new Pdu(1.5, 2, 5, 0.3, 0), f -> new Pdu(1.5, 2, 5, 0.3, 0)
                .loss(step(f, RETAIN)).getDouble());
        NDArray retain = ToyStep.logits(manager, RETAIN);
        retain.setRequiresGradient(true);
        try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
            gc.backward(new Pdu(1.5, 2, 5, 0.3, 0).loss(step(ToyStep.logits(manager, FORGET), retain)));
        }
        double[] g = retain.getGradient().toType(DataType.FLOAT64, false).toDoubleArray();
        double[] fd = finiteDifferences(RETAIN, r -> new Pdu(1.5, 2, 5, 0.3, 0).loss(step(FORGET, r)).getDouble());
        for (int i = 0; i < g.length; i++) {
            assertEquals(fd[i], g[i], 1e-7, "PDU d/d retain logit " + i);
        }
    }

    @Test
    void theKindsReadTheirParametersAndRefuseBadOnes() {
        assertEquals(new Undial(3), Undial.KIND.create(Map.of("beta", 3.0)));
        assertEquals(new SatImp(2, 0), SatImp.KIND.create(Map.of("beta1", 2.0, "beta2", 0.0)));
        assertEquals(new CeU(0), CeU.KIND.create(Map.of("skip", 0)));
        assertEquals(new Pdu(1, 50, 1, 1.5, 0.3), Pdu.KIND.create(Map.of("lambda", 50.0, "dual_step", 1.0,
                "epsilon", 1.5, "warmup", 0.3)), "open-unlearning's MUSE News settings (warm-up 3 of 10 epochs)");
        assertEquals(new Pdu(1, 100, 5, 0.1, 0.5), Objectives.pdu(0.1));
        assertNotEquals(Objectives.pdu(), Objectives.pdu(0.1));
        assertThrows(IllegalArgumentException.class, () -> new Undial(-1));
        assertThrows(IllegalArgumentException.class, () -> new SatImp(1, Double.NaN));
        assertThrows(IllegalArgumentException.class, () -> new CeU(-1));
    }

    @Test
    void eachRoundTripsThroughARecipeFile() {
        List<Objective> objectives = List.of(new Undial(3), new SatImp(2, 0.5), new CeU(2),
                new Pdu(1, 50, 1, 1.5, 0.3), new AltPo(0.05, 3, 32, 0.7, 9),
                Objectives.altPo(0.5, 2).plus(Objectives.pdu(0.1)));
        for (Objective o : objectives) {
            Recipe recipe = Lethe.fromYaml("name: o\nmodel: gpt\ndata: fictitious_facts\nstages: [{unlearn: {objective: "
                    + o + "}}]\n");
            assertEquals(o, recipe.first(Unlearning.class).objective(), o.toString());
            assertEquals(recipe, Lethe.fromYaml(Lethe.toYaml(recipe)), o.toString());
        }
        for (String name : List.of("undial", "satimp", "ce_u", "pdu", "altpo")) {
            Objective alone = Lethe.fromYaml("name: o\nmodel: gpt\ndata: fictitious_facts\nstages: [{unlearn: "
                    + "{objective: " + name + "}}]\n").first(Unlearning.class).objective();
            assertEquals(Objectives.KINDS.stream().filter(k -> k.name().equals(name)).findFirst().orElseThrow()
                    .defaults(), alone, name + " alone is its defaults");
        }
    }

    /** Autograd's gradient of {@code o} in the forget logits against central differences of {@code held}. */
    private void check(String name, Objective o, ToDoubleFunction<double[]> held) {
        NDArray logits = ToyStep.logits(manager, FORGET);
        logits.setRequiresGradient(true);
        try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
            gc.backward(o.loss(step(logits, ToyStep.logits(manager, RETAIN))));
        }
        double[] g = logits.getGradient().toType(DataType.FLOAT64, false).toDoubleArray();
        double[] fd = finiteDifferences(FORGET, held::applyAsDouble);
        for (int i = 0; i < g.length; i++) {
            assertEquals(fd[i], g[i], 1e-7, name + ", d/d logit " + i);
        }
    }

    private static double[] finiteDifferences(double[] x, Function<double[], Double> f) {
        double h = 1e-6;
        double[] out = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            double[] up = x.clone();
            double[] down = x.clone();
            up[i] += h;
            down[i] -= h;
            out[i] = (f.apply(up) - f.apply(down)) / (2 * h);
        }
        return out;
    }

    private static double logSoftmax(double[] logits, int t, int v) {
        double z = 0;
        for (int u = 0; u < 3; u++) {
            z += Math.exp(logits[3 * t + u]);
        }
        return logits[3 * t + v] - Math.log(z);
    }

    private static double logProb(double[] logits, int t) {
        return logSoftmax(logits, t, (int) FORGET_TARGETS[t]);
    }

    private static double[] probabilities(double[] logits) {
        return new double[] {Math.exp(logProb(logits, 0)), Math.exp(logProb(logits, 1))};
    }

    /** softmax of each row with the target's entry removed. */
    private static double[][] removedTarget(double[] logits) {
        double[][] q = new double[2][3];
        for (int t = 0; t < 2; t++) {
            double z = 0;
            for (int v = 0; v < 3; v++) {
                z += v == FORGET_TARGETS[t] ? 0 : Math.exp(logits[3 * t + v]);
            }
            for (int v = 0; v < 3; v++) {
                q[t][v] = v == FORGET_TARGETS[t] ? 0 : Math.exp(logits[3 * t + v]) / z;
            }
        }
        return q;
    }
}
