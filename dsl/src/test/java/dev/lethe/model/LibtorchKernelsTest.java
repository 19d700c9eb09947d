package dev.lethe.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;

/** The fused attention kernel against attention written out op by op, values and gradients. */
class LibtorchKernelsTest {

    /** softmax(q·kᵀ/√d + mask)·v with each key/value head repeated for its group of query heads. */
    private static NDArray written(NDArray q, NDArray k, NDArray v, @Nullable NDArray mask) {
        long group = q.getShape().get(1) / k.getShape().get(1);
        NDArray kr = k.repeat(1, group);
        NDArray vr = v.repeat(1, group);
        long t = q.getShape().get(2);
        long s = k.getShape().get(2);
        NDArray scores = q.matMul(kr.transpose(0, 1, 3, 2)).div((float) Math.sqrt(q.getShape().get(3)));
        NDArray added = mask;
        if (added == null) {
            float[] causal = new float[(int) (t * s)];
            for (int i = 0; i < t; i++) {
                for (int j = 0; j < s; j++) {
                    causal[(int) (i * s + j)] = j <= i ? 0 : Float.NEGATIVE_INFINITY;
                }
            }
            added = q.getManager().create(causal, new Shape(t, s));
        }
        return scores.add(added).softmax(-1).matMul(vr);
    }

    private static double maxAbsDiff(NDArray a, NDArray b) {
        return a.sub(b).abs().max().getFloat();
    }

    @Test
    void causalGroupedAndMaskedAttentionEqualTheWrittenOutFormulaWithGradients() {
        try (NDManager m = NDManager.newBaseManager()) {
            Engine.getInstance().setRandomSeed(5);
            for (int kvHeads : new int[] {4, 2}) {
                for (boolean masked : new boolean[] {false, true}) {
                    NDArray q = m.randomNormal(new Shape(2, 4, 5, 8));
                    NDArray k = m.randomNormal(new Shape(2, kvHeads, 5, 8));
                    NDArray v = m.randomNormal(new Shape(2, kvHeads, 5, 8));
                    NDArray weights = m.randomNormal(new Shape(2, 4, 5, 8));
                    // a sliding window of 2 over a causal mask, as an additive mask
                    float[] window = new float[25];
                    for (int i = 0; i < 5; i++) {
                        for (int j = 0; j < 5; j++) {
                            window[i * 5 + j] = j <= i && j > i - 2 ? 0 : -1e30f;
                        }
                    }
                    NDArray mask = masked ? m.create(window, new Shape(5, 5)) : null;
                    NDArray[] fused = valueAndGradients(q, k, v, weights, mask, true);
                    NDArray[] plain = valueAndGradients(q, k, v, weights, mask, false);
                    String what = "kv heads " + kvHeads + (masked ? ", window mask" : ", causal");
                    for (int i = 0; i < 4; i++) {
                        double d = maxAbsDiff(fused[i], plain[i]);
                        assertTrue(d < 2e-5, what + ": " + List.of("value", "dq", "dk", "dv").get(i) + " differs by " + d);
                    }
                    assertEquals(new Shape(2, 4, 5, 8), fused[0].getShape());
                }
            }
        }
    }

    @Test
    void aDecodingStepFoldsGroupedHeadsAndStillEqualsTheWrittenOutFormula() {
        try (NDManager m = NDManager.newBaseManager()) {
            Engine.getInstance().setRandomSeed(6);
            NDArray q = m.randomNormal(new Shape(3, 6, 1, 8));
            NDArray k = m.randomNormal(new Shape(3, 2, 7, 8));
            NDArray v = m.randomNormal(new Shape(3, 2, 7, 8));
            NDArray weights = m.randomNormal(new Shape(3, 6, 1, 8));
            // left padding: sequence b has its first b keys padded (a per-sequence mask), and one mask for all
            float[] padded = new float[3 * 7];
            for (int b = 0; b < 3; b++) {
                for (int j = 0; j < b; j++) {
                    padded[b * 7 + j] = -1e30f;
                }
            }
            for (NDArray mask : new NDArray[] {m.create(padded, new Shape(3, 1, 1, 7)),
                m.create(new float[] {-1e30f, 0, 0, -1e30f, 0, 0, 0}, new Shape(1, 7))}) {
                NDArray[] fused = valueAndGradients(q, k, v, weights, mask, true);
                NDArray[] plain = valueAndGradients(q, k, v, weights, mask, false);
                for (int i = 0; i < 4; i++) {
                    double d = maxAbsDiff(fused[i], plain[i]);
                    assertTrue(d < 2e-5, "mask " + mask.getShape() + ": " + List.of("value", "dq", "dk", "dv").get(i)
                            + " differs by " + d);
                }
                assertEquals(new Shape(3, 6, 1, 8), fused[0].getShape());
            }
        }
    }

    /** The value and the gradients of Σ weights·attention with respect to q, k and v. */
    private static NDArray[] valueAndGradients(NDArray q0, NDArray k0, NDArray v0, NDArray weights,
            @Nullable NDArray mask, boolean fused) {
        NDArray q = q0.duplicate();
        NDArray k = k0.duplicate();
        NDArray v = v0.duplicate();
        for (NDArray a : new NDArray[] {q, k, v}) {
            a.setRequiresGradient(true);
        }
        NDArray out;
        try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
            out = fused ? LibtorchKernels.attention(q, k, v, mask) : written(q, k, v, mask);
            gc.backward(out.mul(weights).sum());
        }
        return new NDArray[] {out.stopGradient(), q.getGradient().duplicate(), k.getGradient().duplicate(),
            v.getGradient().duplicate()};
    }

    @Test
    void aCausalMaskNeedsAsManyQueriesAsKeys() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray q = m.zeros(new Shape(1, 2, 1, 4), DataType.FLOAT32);
            NDArray kv = m.zeros(new Shape(1, 2, 3, 4), DataType.FLOAT32);
            assertThrows(IllegalArgumentException.class, () -> LibtorchKernels.attention(q, kv, kv, null));
        }
    }
}
