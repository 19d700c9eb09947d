package dev.lethe.eval.stats;

/**
 * A receiver operating characteristic curve, as {@code sklearn.metrics.roc_curve} returns it.
 *
 * @param fpr false-positive rates, increasing, from 0 to 1
 * @param tpr true-positive rates, increasing, from 0 to 1
 * @param thresholds decreasing score thresholds; point i classifies {@code score >= thresholds[i]} as positive;
 *     {@code thresholds[0]} is +∞ (no positives)
 */
public record RocCurve(double[] fpr, double[] tpr, double[] thresholds) {}
