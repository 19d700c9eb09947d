package dev.lethe.model;

import java.util.Arrays;
import java.util.List;

/**
 * How {@link Generator} continues prompts: greedy or seeded sampling, when to stop, and whether to decode
 * with a {@link KvCache}. Made by {@link #greedy(int)} or {@link #sampling(int, long)} and changed by the
 * {@code with...} methods, each returning a modified copy:
 * {@code Generation.sampling(64, 7).withTopP(0.9).withEos(tokenizer.eosId()).withStopStrings("\n")}.
 *
 * <p>Sampling warps the next-token logits as {@code transformers}' {@code generate} does, in its order:
 * divided by the temperature ({@code TemperatureLogitsWarper}), then the top-k and top-p filters
 * ({@code TopKLogitsWarper}, {@code TopPLogitsWarper}; see {@link LogitsWarpers}), then softmax.
 *
 * @param maxNewTokens most tokens generated per prompt (fewer when a sequence stops or reaches the model's
 *     context length)
 * @param eosIds token ids that end a sequence (not included in its output); empty for none
 * @param stopStrings a sequence stops as soon as its decoded output contains one of these (the tokens that
 *     completed it are kept); empty for none
 * @param sample draw each token from the warped distribution; false for greedy (argmax) decoding, where
 *     temperature, top-k and top-p are ignored
 * @param temperature divides the logits before sampling, &gt; 0
 * @param topK keep the k most likely tokens (ties with the k-th kept too); 0 for no top-k filter
 * @param topP keep the smallest set of most likely tokens whose probability is at least p, in (0, 1]; 1 for
 *     no top-p filter
 * @param seed seeds the sampling: the same seed, prompts and model give the same tokens
 * @param cached decode with a {@link KvCache} when the architecture supports one; false recomputes the whole
 *     prefix for every token (the reference the cached path is tested against)
 */
public record Generation(int maxNewTokens, List<Integer> eosIds, List<String> stopStrings, boolean sample,
        double temperature, int topK, double topP, long seed, boolean cached) {

    /** Checks the values and copies the lists. */
    public Generation {
        if (maxNewTokens < 0) {
            throw new IllegalArgumentException("maxNewTokens must be ≥ 0, was " + maxNewTokens);
        }
        if (!(temperature > 0) || Double.isInfinite(temperature)) {
            throw new IllegalArgumentException("temperature must be a finite number > 0, was " + temperature
                    + " (for greedy decoding use Generation.greedy)");
        }
        if (topK < 0) {
            throw new IllegalArgumentException("topK must be ≥ 0 (0 for no top-k filter), was " + topK);
        }
        if (!(topP > 0 && topP <= 1)) {
            throw new IllegalArgumentException("topP must be in (0, 1] (1 for no top-p filter), was " + topP);
        }
        eosIds = List.copyOf(eosIds);
        stopStrings = List.copyOf(stopStrings);
        if (stopStrings.stream().anyMatch(String::isEmpty)) {
            throw new IllegalArgumentException("a stop string must not be empty");
        }
    }

    /** Greedy decoding of at most {@code maxNewTokens} tokens, cached, with no eos and no stop strings. */
    public static Generation greedy(int maxNewTokens) {
        return new Generation(maxNewTokens, List.of(), List.of(), false, 1, 0, 1, 0, true);
    }

    /**
     * Sampling at temperature 1 without filters, seeded with {@code seed}, of at most {@code maxNewTokens}
     * tokens, cached, with no eos and no stop strings.
     */
    public static Generation sampling(int maxNewTokens, long seed) {
        return new Generation(maxNewTokens, List.of(), List.of(), true, 1, 0, 1, seed, true);
    }

    /** This with at most {@code n} new tokens. */
    public Generation withMaxNewTokens(int n) {
        return new Generation(n, eosIds, stopStrings, sample, temperature, topK, topP, seed, cached);
    }

    /** This ending a sequence at any of {@code ids} (replacing the earlier ones; none for no eos). */
    public Generation withEos(int... ids) {
        return new Generation(maxNewTokens, Arrays.stream(ids).boxed().toList(), stopStrings, sample, temperature,
                topK, topP, seed, cached);
    }

    /** This stopping a sequence once its output contains any of {@code strings} (replacing the earlier ones). */
    public Generation withStopStrings(String... strings) {
        return new Generation(maxNewTokens, eosIds, List.of(strings), sample, temperature, topK, topP, seed, cached);
    }

    /** This sampling at {@code t}. */
    public Generation withTemperature(double t) {
        return new Generation(maxNewTokens, eosIds, stopStrings, sample, t, topK, topP, seed, cached);
    }

    /** This sampling from the {@code k} most likely tokens (0: all). */
    public Generation withTopK(int k) {
        return new Generation(maxNewTokens, eosIds, stopStrings, sample, temperature, k, topP, seed, cached);
    }

    /** This sampling from the nucleus of probability {@code p} (1: all). */
    public Generation withTopP(double p) {
        return new Generation(maxNewTokens, eosIds, stopStrings, sample, temperature, topK, p, seed, cached);
    }

    /** This sampling with seed {@code s}. */
    public Generation withSeed(long s) {
        return new Generation(maxNewTokens, eosIds, stopStrings, sample, temperature, topK, topP, s, cached);
    }

    /** This with ({@code true}) or without the KV cache. */
    public Generation withCache(boolean useCache) {
        return new Generation(maxNewTokens, eosIds, stopStrings, sample, temperature, topK, topP, seed, useCache);
    }
}
