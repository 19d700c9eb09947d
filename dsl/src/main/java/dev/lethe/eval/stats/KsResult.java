package dev.lethe.eval.stats;

/**
 * The outcome of a two-sample Kolmogorov–Smirnov test.
 *
 * @param statistic D = sup_x |F_a(x) − F_b(x)|, the largest distance between the two empirical CDFs
 * @param pValue the two-sided p-value Pr(D ≥ observed) under the null hypothesis of one common distribution
 * @param method the distribution the p-value was computed from ({@link KolmogorovSmirnov.Method#EXACT} or
 *     {@link KolmogorovSmirnov.Method#ASYMP}; never {@code AUTO})
 */
public record KsResult(double statistic, double pValue, KolmogorovSmirnov.Method method) {}
