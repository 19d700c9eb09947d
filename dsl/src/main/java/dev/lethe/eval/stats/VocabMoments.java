package dev.lethe.eval.stats;

/**
 * Mean and standard deviation of log p(v) when v is drawn from the model's own next-token distribution p, the
 * per-position calibration of Min-K%++ (Zhang et al., 2024).
 *
 * @param mean μ = Σ_v p(v) log p(v)
 * @param std σ = √(Σ_v p(v) (log p(v))² − μ²)
 */
public record VocabMoments(double mean, double std) {}
