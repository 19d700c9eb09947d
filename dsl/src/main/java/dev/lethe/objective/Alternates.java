package dev.lethe.objective;

/**
 * How alternate answers to a split's questions are sampled from the frozen reference model (the copy of the model
 * taken when the stage began, {@link Step#referenceScores}), asked for another version of each answer with other
 * facts (see {@link AltPo}): {@code samples} answers per question, each of at most {@code maxNewTokens} tokens, at
 * {@code temperature}, ended by the tokenizer's {@code <eos>}. The answers of a question depend only on the
 * reference, the question and answer and this record (their seed is derived from {@code seed} and the request's
 * text), not on the step, the batch or the order of sampling: sampling them all before
 * training, or each the first time its example is drawn, gives the same answers, and a resumed run samples them
 * again identically. The self-generated alternates of AltPO ({@link AltPo}).
 *
 * @param samples answers per prompt, ≥ 1
 * @param maxNewTokens the longest answer in tokens, ≥ 1 (cut further to fit the model's context)
 * @param temperature sampling temperature, finite and &gt; 0
 * @param seed seed of the sampling
 */
public record Alternates(int samples, int maxNewTokens, double temperature, long seed) {
    /** Validates the numbers. */
    public Alternates {
        if (samples < 1) {
            throw new IllegalArgumentException("alternate answers need samples >= 1, was " + samples);
        }
        if (maxNewTokens < 1) {
            throw new IllegalArgumentException("alternate answers need max_new_tokens >= 1, was " + maxNewTokens);
        }
        if (!(temperature > 0) || !Double.isFinite(temperature)) {
            throw new IllegalArgumentException("alternate answers need a finite temperature > 0, was " + temperature);
        }
    }
}
