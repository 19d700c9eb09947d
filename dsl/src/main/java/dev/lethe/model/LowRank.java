package dev.lethe.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;

/**
 * A low-rank update of one projection: LoRA's {@code h = W₀x + (α/r)·BAx} (Hu et al. 2021, "LoRA: Low-Rank
 * Adaptation of Large Language Models", eq. 3 with the §4.1 scaling α/r), written in GPT-2's {@code Conv1D}
 * orientation, where a projection is {@code y = x·W + b} with {@code W} stored (in, out). With the paper's
 * {@code A ∈ ℝ^{r×k}} and {@code B ∈ ℝ^{d×r}} (k = in, d = out) this record holds their transposes, so that
 * {@code y = x·W + b + scale·(x·a)·b}:
 *
 * @param a the down-projection, shape (in, r) (the paper's Aᵀ)
 * @param b the up-projection, shape (r, out) (the paper's Bᵀ)
 * @param scale α/r
 */
public record LowRank(NDArray a, NDArray b, double scale) {

    /** Checks that the shapes chain. */
    public LowRank {
        Shape sa = a.getShape();
        Shape sb = b.getShape();
        if (sa.dimension() != 2 || sb.dimension() != 2 || sa.get(1) != sb.get(0)) {
            throw new IllegalArgumentException("a low-rank update needs a (in, r) and b (r, out); got " + sa
                    + " and " + sb);
        }
        if (!(scale > 0) || Double.isInfinite(scale)) {
            throw new IllegalArgumentException("scale must be positive and finite, was " + scale);
        }
    }

    /** The rank r. */
    public long rank() {
        return a.getShape().get(1);
    }

    /** {@code scale·(x·a)·b} for inputs {@code x} of shape (..., in); safe inside an autograd graph. */
    public NDArray apply(NDArray x) {
        return Scalars.times(x.matMul(a).matMul(b), scale);
    }

    /** The dense update {@code scale·a·b}, shape (in, out): what merging adds to {@code W}. */
    public NDArray delta() {
        return Scalars.times(a.matMul(b), scale);
    }
}
