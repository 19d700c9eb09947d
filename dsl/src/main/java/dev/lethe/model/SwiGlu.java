package dev.lethe.model;

import ai.djl.ndarray.NDArray;
import ai.djl.nn.Activation;

/**
 * The gated MLP of Llama-family blocks, SwiGLU (Shazeer 2020, "GLU Variants Improve Transformer", eq. 6):
 * {@code down(silu(gate(x)) ⊙ up(x))} with {@code silu(z) = z·σ(z)} (Ramachandran et al. 2017, "Swish").
 */
public final class SwiGlu {
    private SwiGlu() {}

    /**
     * The MLP's output for {@code x}, its three projections applied by {@code projections}.
     *
     * @param gate the gate projection's module name
     * @param up the up projection's module name
     * @param down the down projection's module name
     * @param bias whether the projections have biases
     */
    public static NDArray apply(Projections projections, NDArray x, String gate, String up, String down,
            boolean bias) {
        NDArray g = projections.apply(x, gate, bias);
        NDArray u = projections.apply(x, up, bias);
        NDArray inner = gated(g, u);
        NDArray out = projections.apply(inner, down, bias);
        g.close();
        u.close();
        inner.close();
        return out;
    }

    /**
     * {@code silu(g) ⊙ u}, the gated inner activation, for a gate and an up projection already applied (Phi-3
     * computes both with one fused {@code gate_up_proj}).
     */
    public static NDArray gated(NDArray g, NDArray u) {
        NDArray sigmoid = Activation.sigmoid(g);
        NDArray silu = g.mul(sigmoid);
        NDArray inner = silu.mul(u);
        sigmoid.close();
        silu.close();
        return inner;
    }
}
