/** Metrics and evaluation suites computed on a model and a split. */
@NullMarked
package dev.lethe.eval;

import org.jspecify.annotations.NullMarked;
