package dev.lethe.eval;

/**
 * One metric measured on one model and split, with the per-example values it summarises where other
 * metrics need them (e.g. truth ratios for forget quality, MIA scores for ROC AUC).
 *
 * @param metric the metric, e.g. {@link AnswerSuite#EXACT_MATCH}
 * @param value its value
 * @param perExample one value per example, in the split's order; empty when not kept
 */
public record MetricValue(Metric metric, double value, double[] perExample) {

    /** A value without per-example data. */
    public MetricValue(Metric metric, double value) {
        this(metric, value, new double[0]);
    }

    /** The metric's name, e.g. {@code exact_match}. */
    public String name() {
        return metric.name();
    }
}
