package dev.lethe.model;

import ai.djl.ndarray.NDArray;

/**
 * Root-mean-square layer normalisation (Zhang &amp; Sennrich 2019, "Root Mean Square Layer Normalization",
 * eq. 4): {@code y = g ⊙ x / sqrt(mean(x²) + ε)} over the last axis, as Hugging Face's {@code LlamaRMSNorm}
 * computes it. A float16 input is normalised in float16 (DJL's casts cut the autograd graph, so the float32
 * upcast of transformers is not available inside training); float32 inputs match transformers exactly.
 */
public final class RmsNorm {
    private RmsNorm() {}

    /**
     * The normalised {@code x}, (…, d), with gain {@code gain}, (d).
     *
     * @param eps ε, added to the mean square
     */
    public static NDArray apply(NDArray x, NDArray gain, double eps) {
        NDArray square = x.square();
        NDArray mean = square.mean(new int[] {-1}, true);
        NDArray shifted = Scalars.plus(mean, eps);
        NDArray root = shifted.sqrt();
        NDArray normalised = x.div(root);
        NDArray out = normalised.mul(gain);
        square.close();
        mean.close();
        shifted.close();
        root.close();
        normalised.close();
        return out;
    }
}
