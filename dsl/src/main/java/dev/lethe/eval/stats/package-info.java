/**
 * Model-free evaluation statistics on plain arrays: Kolmogorov–Smirnov p-values (TOFU forget quality), ROC AUC
 * (membership inference), ROUGE-L, membership-inference scores, truth ratios and their reductions. Each
 * class names the definition or reference implementation it reproduces.
 */
@NullMarked
package dev.lethe.eval.stats;

import org.jspecify.annotations.NullMarked;
