package dev.lethe.eval;

/**
 * One named number measured on one model and split.
 *
 * @param metric the metric's name, e.g. {@code exact_match}
 * @param value its value
 */
public record MetricValue(String metric, double value) {}
