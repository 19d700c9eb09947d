/**
 * Metrics and evaluation suites computed on a model and a split. Every metric is a {@link dev.lethe.eval.Metric}
 * declared once beside what computes it (a suite, {@link dev.lethe.eval.CrossModelMetrics},
 * {@link dev.lethe.eval.ReferenceKl}), with its direction and scope.
 */
@NullMarked
package dev.lethe.eval;

import org.jspecify.annotations.NullMarked;
