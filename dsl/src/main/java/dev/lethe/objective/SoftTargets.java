package dev.lethe.objective;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.types.DataType;

/**
 * Next-token distributions as targets: one-hot rows of a batch's targets, a distribution with the target's logit
 * removed, the cross-entropy of logits to a soft target, and means over masked positions. Shared by the objectives
 * that distil towards an adjusted distribution ({@link Undial}, {@link CeU}).
 */
final class SoftTargets {
    private SoftTargets() {}

    /** The one-hot rows of {@code targets} (B, T), shaped and typed like {@code logits} (B, T, V). */
    static NDArray oneHot(NDArray targets, NDArray logits) {
        int vocabulary = (int) logits.getShape().get(logits.getShape().dimension() - 1);
        return targets.toType(DataType.INT64, false).oneHot(vocabulary).toType(logits.getDataType(), false);
    }

    /**
     * softmax over the vocabulary of {@code logits} with the target's logit set to −∞ (its probability 0, the rest
     * renormalised), computed on detached logits: a target without gradient.
     */
    static NDArray withoutTarget(NDArray logits, NDArray targets) {
        NDArray detached = logits.stopGradient();
        NDArray isTarget = oneHot(targets, detached).toType(DataType.BOOLEAN, false);
        NDArray minusInfinity = detached.getManager().full(detached.getShape(), Float.NEGATIVE_INFINITY,
                detached.getDataType());
        return NDArrays.where(isTarget, minusInfinity, detached).softmax(-1);
    }

    /** −Σ_v q_v·log softmax(z)_v per position: the cross-entropy of logits z (B, T, V) to targets q, shape (B, T). */
    static NDArray crossEntropy(NDArray logits, NDArray q) {
        return q.mul(logits.logSoftmax(-1)).sum(new int[] {-1}).neg();
    }

    /** Σ m·x / Σ m: the mean of {@code perPosition} (B, T) over the positions where {@code mask} is 1. */
    static NDArray maskedMean(NDArray perPosition, NDArray mask) {
        return perPosition.mul(mask).sum().div(mask.sum());
    }
}
