package dev.lethe.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;

/**
 * Root-mean-square layer normalisation (Zhang &amp; Sennrich 2019, "Root Mean Square Layer Normalization",
 * eq. 4): {@code y = g ⊙ x / sqrt(mean(x²) + ε)} over the last axis, as Hugging Face's {@code LlamaRMSNorm}
 * computes it for float32 inputs.
 *
 * <p>transformers normalises a float16 input in float32; here DJL's casts would cut the autograd graph, so a
 * float16 input is normalised in float16 with the same value written overflow-free: with
 * {@code m = max(max|x|, 1)} per vector, {@code x / sqrt(mean(x²) + ε) = (x/m) / sqrt(mean((x/m)²) + ε/m²)}
 * (Llama's residual stream holds entries in the thousands, whose squares exceed float16's 65504).
 */
public final class RmsNorm {
    private RmsNorm() {}

    /**
     * The normalised {@code x}, (…, d), with gain {@code gain}, (d).
     *
     * @param eps ε, added to the mean square
     */
    public static NDArray apply(NDArray x, NDArray gain, double eps) {
        if (x.getDataType() != DataType.FLOAT16) {
            NDArray shifted = Scalars.plus(meanSquare(x), eps);
            NDArray out = normalised(x, shifted, gain);
            shifted.close();
            return out;
        }
        NDArray magnitude = x.abs();
        NDArray peak = magnitude.max(new int[] {-1}, true);
        NDArray one = Scalars.scalar(peak, 1);
        NDArray m = peak.maximum(one);
        NDArray scaled = x.div(m);
        NDArray squaredScale = m.square();
        NDArray epsilon = Scalars.scalar(m, eps);
        NDArray scaledEps = epsilon.div(squaredScale);
        NDArray mean = meanSquare(scaled);
        NDArray shifted = mean.add(scaledEps);
        NDArray out = normalised(scaled, shifted, gain);
        for (NDArray a : new NDArray[] {magnitude, peak, one, m, scaled, squaredScale, epsilon, scaledEps, mean,
            shifted}) {
            a.close();
        }
        return out;
    }

    private static NDArray meanSquare(NDArray x) {
        NDArray square = x.square();
        NDArray mean = square.mean(new int[] {-1}, true);
        square.close();
        return mean;
    }

    /** {@code gain ⊙ x / sqrt(shiftedMeanSquare)}. */
    private static NDArray normalised(NDArray x, NDArray shiftedMeanSquare, NDArray gain) {
        NDArray root = shiftedMeanSquare.sqrt();
        NDArray divided = x.div(root);
        NDArray out = divided.mul(gain);
        root.close();
        divided.close();
        return out;
    }
}
