package dev.lethe.objective;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.nn.Activation;
import ai.djl.training.GradientCollector;
import dev.lethe.data.Split;
import dev.lethe.model.Scalars;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Each objective on a 2-token toy against a value computed by hand (with Python's math module, from the
 * formulas in the Javadoc), and its gradient with respect to the logits against central finite
 * differences.
 *
 * <p>Forget logits: [[1, 2, 0], [0.5, 0.5, 1.5]], targets (1, 2): log π = −0.959050678376431,
 * avgNLL_f = 0.47952533918821594, mean token probability P_f = 0.6206789202703253.
 * Retain logits: [[0.2, −1, 0.3], [1, 0, −1]], targets (0, 1): log π = −2.28572332858246.
 * Refusal (the forget example's template answer) logits: [[0.3, −0.2, 0.8], [−0.5, 1, 0.1]], targets (2, 0):
 * log π = −2.6686655089236657, P_e = 0.3216976370226734.
 * Reference logits: forget all 0 (log π_ref = −2·ln 3); retain [[0, 0.5, −0.5], [0.3, 0.3, −0.6]];
 * refusal [[0.1, 0.2, 0.3], [0.4, 0.5, 0.6]] (log π_ref = −2.203885696458488).
 * Python helpers used below: {@code lsm} = log-softmax of a row, {@code sp(x) = log1p(exp(x))}.
 */
class ObjectiveValuesTest {
    private static final double[] FORGET = {1, 2, 0, 0.5, 0.5, 1.5};
    private static final double[] RETAIN = {0.2, -1, 0.3, 1, 0, -1};
    private static final double[] REFUSAL = {0.3, -0.2, 0.8, -0.5, 1.0, 0.1};
    private static final double[] REF_FORGET = new double[6];
    private static final double[] REF_RETAIN = {0, 0.5, -0.5, 0.3, 0.3, -0.6};
    private static final double[] REF_REFUSAL = {0.1, 0.2, 0.3, 0.4, 0.5, 0.6};
    private static final long[] FORGET_TARGETS = {1, 2};
    private static final long[] RETAIN_TARGETS = {0, 1};
    private static final long[] REFUSAL_TARGETS = {2, 0};
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
                        0.09190549295739947),
                // (2/b)*sp(g - b*avgNLL_f)
                Arguments.of("SimNPO β=2.5 γ=0", new SimNpo(2.5, 0), 0.21084581852038156),
                Arguments.of("SimNPO β=4.5 γ=1", new SimNpo(4.5, 1), 0.1214200048641055),
                // the official code's −(2/β)·log σ(β·(avgNLL − δ)) with δ = γ/β is the same loss
                Arguments.of("SimNPO code margin β=4.5 δ=1/4.5", SimNpo.ofCodeMargin(4.5, 1 / 4.5),
                        0.1214200048641055),
                // mean over the 2 retain positions of sum_v exp(lr[v])*(lr[v]-lp[v]), lr = lsm(ref row), lp = lsm(row)
                Arguments.of("KL retain", new KlRetain(Split.RETAIN), 0.2889193378689385),
                // mean over positions of 1 + p[y] - max_{v != y} p[v], p = exp(lsm(row)); on retain: the forget toy's
                // second row has a tie between its two non-target logits, where max is not differentiable
                Arguments.of("inverted hinge (retain toy)", new InvertedHinge(Split.RETAIN), 0.7678911059444866),
                // sum_t w_t*(2/b)*sp(b*(lp_t - lr_t)), w_t = exp(lp_t)^k / sum_s exp(lp_s)^k, lp/lr token log-probs
                Arguments.of("CATNIP-style β=0.1 k=1", new CatnipStyle(0.1, 1), 14.497063210945154),
                Arguments.of("CATNIP-style β=1 k=2", new CatnipStyle(1, 2), 2.1142380917202663),
                Arguments.of("CATNIP-style β=1 k=0 (uniform)", new CatnipStyle(1, 0), 2.1008828311696113),
                // -log π(refusal)/2
                Arguments.of("IdK", new Idk(Split.FORGET), 1.3343327544618329),
                // (2/b)*sp(-b*((lpQ - lpQref) - (lpF - lpFref))), sequence log-probs
                Arguments.of("DPO β=0.1", new Dpo(0.1), 15.63831116794173),
                Arguments.of("DPO β=1", new Dpo(1), 3.7405681286691115),
                // -g(P_e) + f(g(P_f))
                Arguments.of("FLAT KL", new Flat(Flat.Divergence.KL), 0.3626282172052179),
                Arguments.of("FLAT TV", new Flat(Flat.Divergence.TOTAL_VARIATION), 0.12027971448142818),
                Arguments.of("FLAT JS", new Flat(Flat.Divergence.JENSEN_SHANNON), 0.20977301547846672),
                Arguments.of("FLAT Pearson", new Flat(Flat.Divergence.PEARSON), 0.3952918637646362),
                Arguments.of("SimNPO + KL retain via combinators",
                        new SimNpo(2.5, 0).plus(new KlRetain(Split.RETAIN)), 0.49976515638932006));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void valueMatchesTheHandComputedOne(String name, Objective objective, double expected) {
        double value = evaluate(objective, FORGET, RETAIN, REFUSAL).getDouble();
        // 1e-8 relative: DJL's softplus loses about 1e-9 relative even in float64
        assertEquals(expected, value, 1e-8 * Math.max(1, Math.abs(expected)), name);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void gradientMatchesFiniteDifferences(String name, Objective objective, double ignored) {
        NDArray forget = ToyStep.logits(manager, FORGET);
        NDArray retain = ToyStep.logits(manager, RETAIN);
        NDArray refusal = ToyStep.logits(manager, REFUSAL);
        forget.setRequiresGradient(true);
        retain.setRequiresGradient(true);
        refusal.setRequiresGradient(true);
        try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
            NDArray loss = objective.loss(step(forget, retain, refusal));
            gc.backward(loss);
        }
        // an objective that does not touch a split leaves its gradient undefined; DJL then returns float32 zeros
        double[] gf = forget.getGradient().toType(DataType.FLOAT64, false).toDoubleArray();
        double[] gr = retain.getGradient().toType(DataType.FLOAT64, false).toDoubleArray();
        double[] gq = refusal.getGradient().toType(DataType.FLOAT64, false).toDoubleArray();
        Objective reference = differentiated(objective);
        double h = 1e-6;
        for (int i = 0; i < FORGET.length; i++) {
            int k = i;
            assertEquals(finiteDifference(reference, v -> perturb(FORGET, k, v), v -> RETAIN, v -> REFUSAL, h), gf[i],
                    1e-6, name + " d/d forget logit " + i);
            assertEquals(finiteDifference(reference, v -> FORGET, v -> perturb(RETAIN, k, v), v -> REFUSAL, h), gr[i],
                    1e-6, name + " d/d retain logit " + i);
            assertEquals(finiteDifference(reference, v -> FORGET, v -> RETAIN, v -> perturb(REFUSAL, k, v), h), gq[i],
                    1e-6, name + " d/d refusal logit " + i);
        }
    }

    /**
     * The function whose finite differences the autograd gradient must match: the objective itself, except
     * for CATNIP-style, whose weights are detached by design. Its gradient is Σ_t w_t·∇ℓ_t with w_t held at
     * the toy's values, so the reference recomputes ℓ_t from the perturbed logits and keeps the weights
     * computed (in Java doubles) from the unperturbed forget logits.
     */
    private static Objective differentiated(Objective objective) {
        if (!(objective instanceof CatnipStyle c)) {
            return objective;
        }
        double[] p = new double[2];
        for (int t = 0; t < 2; t++) {
            double z = 0;
            for (int v = 0; v < 3; v++) {
                z += Math.exp(FORGET[3 * t + v]);
            }
            p[t] = Math.pow(Math.exp(FORGET[3 * t + (int) FORGET_TARGETS[t]]) / z, c.k());
        }
        double[] w = {p[0] / (p[0] + p[1]), p[1] / (p[0] + p[1])};
        return step -> {
            NDArray ratio = step.scores(Split.FORGET).tokenLogProbs()
                    .sub(step.referenceScores(Split.FORGET).tokenLogProbs());
            NDArray terms = Scalars.times(Activation.softPlus(Scalars.times(ratio, c.beta())), 2 / c.beta());
            NDArray weights = terms.getManager().create(w).reshape(1, 2);
            return terms.mul(weights).sum();
        };
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void promptAndPaddingPositionsChangeNeitherValueNorGradient(String name, Objective objective, double expected) {
        for (boolean leading : new boolean[] {true, false}) {
            String where = leading ? " (a masked prompt position first)" : " (a padding position last)";
            NDArray forget = ToyStep.logits(manager, withMasked(FORGET, new double[] {7, -3, 5}, leading));
            NDArray retain = ToyStep.logits(manager, withMasked(RETAIN, new double[] {-6, 4, 0.5}, leading));
            NDArray refusal = ToyStep.logits(manager, withMasked(REFUSAL, new double[] {3, 9, -2}, leading));
            forget.setRequiresGradient(true);
            retain.setRequiresGradient(true);
            refusal.setRequiresGradient(true);
            double[] mask = leading ? new double[] {0, 1, 1} : new double[] {1, 1, 0};
            double[] junkRef = {-4, 2, 6};
            double value;
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                ToyStep step = new ToyStep()
                        .with(Split.FORGET, forget, withMasked(FORGET_TARGETS, leading), mask,
                                ToyStep.logits(manager, withMasked(REF_FORGET, junkRef, leading)))
                        .with(Split.RETAIN, retain, withMasked(RETAIN_TARGETS, leading), mask,
                                ToyStep.logits(manager, withMasked(REF_RETAIN, junkRef, leading)))
                        .withRefusal(Split.FORGET, refusal, withMasked(REFUSAL_TARGETS, leading), mask,
                                ToyStep.logits(manager, withMasked(REF_REFUSAL, junkRef, leading)));
                NDArray loss = objective.loss(step);
                value = loss.getDouble();
                gc.backward(loss);
            }
            assertEquals(expected, value, 1e-8 * Math.max(1, Math.abs(expected)), name + where);
            int masked = leading ? 0 : 2;
            for (NDArray logits : new NDArray[] {forget, retain, refusal}) {
                double[] g = logits.getGradient().toType(DataType.FLOAT64, false).toDoubleArray();
                for (int v = 0; v < 3; v++) {
                    assertEquals(0.0, g[3 * masked + v], 0.0, name + where + ": gradient at a masked position");
                }
            }
        }
    }

    @Test
    void klRetainAveragesOverAnswerTokensNotRows() {
        // row 0: the retain toy (2 answer tokens); row 1: the retain toy's first position, then padding with junk
        double[] rows = {0.2, -1, 0.3, 1, 0, -1, 0.2, -1, 0.3, 8, -8, 3};
        double[] refs = {0, 0.5, -0.5, 0.3, 0.3, -0.6, 0, 0.5, -0.5, 5, 5, -5};
        ToyStep step = new ToyStep().with(Split.RETAIN, ToyStep.logits(manager, rows, 2), new long[] {0, 1, 0, 0},
                new double[] {1, 1, 1, 0}, ToyStep.logits(manager, refs, 2));
        // (2*klt(R[0], RR[0]) + klt(R[1], RR[1])) / 3; the mean of row means would be 0.3679947311121935
        assertEquals(0.3416362666977752, new KlRetain(Split.RETAIN).loss(step).getDouble(), 1e-10);
    }

    @Test
    void catnipWeightsDoNotUnderflowWhenEveryTokenIsAlmostImpossible() {
        // forget [[1, −200, 0], [0.5, 0.5, −150]], targets (1, 2): log p = (−201.31, −151.19), so p^5 is 0 for both
        // tokens even in float64 and the naive weights are 0/0. Normalised in log space the weights are
        // (1.5e−109, 1). Reference [[0, 0, 0], [0.5, 0.5, −149]]: lr_1 = −150.19, so the value is 2*sp(lp_1 − lr_1)
        double[] forget = {1, -200, 0, 0.5, 0.5, -150};
        double[] ref = {0, 0, 0, 0.5, 0.5, -149};
        ToyStep step = new ToyStep().with(Split.FORGET, ToyStep.logits(manager, forget), FORGET_TARGETS,
                ToyStep.logits(manager, ref));
        assertEquals(0.6265233750364457, new CatnipStyle(1, 5).loss(step).getDouble(), 1e-9);
    }

    @Test
    void objectivesRunOnFloat32Logits() {
        ToyStep step = new ToyStep()
                .with(Split.FORGET, f32(FORGET), FORGET_TARGETS, f32(REF_FORGET))
                .with(Split.RETAIN, f32(RETAIN), RETAIN_TARGETS, f32(REF_RETAIN))
                .withRefusal(Split.FORGET, f32(REFUSAL), REFUSAL_TARGETS, f32(REF_REFUSAL));
        cases().forEach(a -> {
            Object[] args = a.get();
            NDArray loss = ((Objective) args[1]).loss(step);
            assertEquals(DataType.FLOAT32, loss.getDataType(), (String) args[0]);
            double expected = (double) args[2];
            assertEquals(expected, loss.getFloat(), 1e-5 * Math.max(1, Math.abs(expected)), (String) args[0]);
        });
    }

    private NDArray f32(double[] values) {
        return ToyStep.logits(manager, values).toType(DataType.FLOAT32, false);
    }

    private static double[] withMasked(double[] logits, double[] junk, boolean leading) {
        double[] out = new double[9];
        System.arraycopy(junk, 0, out, leading ? 0 : 6, 3);
        System.arraycopy(logits, 0, out, leading ? 3 : 0, 6);
        return out;
    }

    private static long[] withMasked(long[] targets, boolean leading) {
        return leading ? new long[] {2, targets[0], targets[1]} : new long[] {targets[0], targets[1], 0};
    }

    private double finiteDifference(Objective objective, Function<Double, double[]> forget,
            Function<Double, double[]> retain, Function<Double, double[]> refusal, double h) {
        double up = evaluate(objective, forget.apply(h), retain.apply(h), refusal.apply(h)).getDouble();
        double down = evaluate(objective, forget.apply(-h), retain.apply(-h), refusal.apply(-h)).getDouble();
        return (up - down) / (2 * h);
    }

    private static double[] perturb(double[] values, int index, double delta) {
        double[] out = values.clone();
        out[index] += delta;
        return out;
    }

    private NDArray evaluate(Objective objective, double[] forget, double[] retain, double[] refusal) {
        return objective.loss(step(ToyStep.logits(manager, forget), ToyStep.logits(manager, retain),
                ToyStep.logits(manager, refusal)));
    }

    private ToyStep step(NDArray forget, NDArray retain, NDArray refusal) {
        return new ToyStep()
                .with(Split.FORGET, forget, FORGET_TARGETS, ToyStep.logits(manager, REF_FORGET))
                .with(Split.RETAIN, retain, RETAIN_TARGETS, ToyStep.logits(manager, REF_RETAIN))
                .withRefusal(Split.FORGET, refusal, REFUSAL_TARGETS, ToyStep.logits(manager, REF_REFUSAL));
    }
}
