package dev.lethe.eval.stats;

/**
 * Precision, recall and F1 of one ROUGE comparison.
 *
 * @param precision LCS / |prediction tokens|
 * @param recall LCS / |reference tokens|
 * @param f1 2PR/(P + R), 0 when P + R = 0
 */
public record RougeScore(double precision, double recall, double f1) {}
