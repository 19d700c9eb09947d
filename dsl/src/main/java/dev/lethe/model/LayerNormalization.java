package dev.lethe.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.norm.LayerNorm;

/**
 * Layer normalisation with a gain and a bias (Ba et al. 2016, "Layer Normalization", eq. 4; PyTorch's
 * {@code nn.LayerNorm}): {@code y = g ⊙ (x − mean(x)) / sqrt(var(x) + ε) + b} over the last axis, the biased
 * variance. The norm of Phi and GPT-NeoX blocks (and of Phi's per-head q/k norms), one libtorch
 * {@code layer_norm} call.
 */
public final class LayerNormalization {
    private LayerNormalization() {}

    /**
     * The normalised {@code x}, (…, d), with gain {@code gain} and bias {@code bias}, each (d).
     *
     * @param eps ε, added to the variance
     */
    public static NDArray apply(NDArray x, NDArray gain, NDArray bias, double eps) {
        long width = x.getShape().get(x.getShape().dimension() - 1);
        return LayerNorm.layerNorm(x, new Shape(width), gain, bias, (float) eps).singletonOrThrow();
    }
}
