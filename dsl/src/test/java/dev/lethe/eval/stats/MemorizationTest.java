package dev.lethe.eval.stats;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/**
 * Hand-computed values of exact memorisation and extraction strength, each worked out from open-unlearning's loops
 * ({@code memorization.py}: {@code (preds == labels).sum() / valid_len} and {@code for k in range(valid_len): if
 * torch.equal(preds[k:], labels[k:]): break; es = 1 - k / valid_len}) on the hit patterns below.
 */
class MemorizationTest {
    private static final boolean T = true;
    private static final boolean F = false;

    @Test
    void exactMemorizationIsTheShareOfPredictedTokens() {
        assertEquals(0.75, Memorization.exactMemorization(new boolean[] {T, F, T, T}), 0.0);
        assertEquals(0.0, Memorization.exactMemorization(new boolean[] {F, F}), 0.0);
        assertEquals(1.0, Memorization.exactMemorization(new boolean[] {T, T, T}), 0.0);
        assertTrue(Double.isNaN(Memorization.exactMemorization(new boolean[0])), "open-unlearning's None");
    }

    @Test
    void extractionStrengthIsOneMinusTheShortestPrefixThatReleasesTheRest() {
        // every suffix matches from k = 0: the question alone extracts the answer
        assertEquals(1.0, Memorization.extractionStrength(new boolean[] {T, T, T, T}), 0.0);
        // the first token is missed, the rest follows from it: k = 1 of 4
        assertEquals(0.75, Memorization.extractionStrength(new boolean[] {F, T, T, T}), 0.0);
        // a miss at position 2 of 4: the suffix from k = 3 matches
        assertEquals(0.25, Memorization.extractionStrength(new boolean[] {T, T, F, T}), 0.0);
        // k = 2 of 5 (hits at 0 do not count when a later token is missed)
        assertEquals(0.6, Memorization.extractionStrength(new boolean[] {T, F, T, T, T}), 1e-15);
    }

    @Test
    void noMatchingSuffixEndsTheLoopAtNMinusOneAsOpenUnlearningsCodeDoes() {
        // the last token missed: no k breaks the loop, which leaves k = n - 1 = 3 -> 1 - 3/4
        assertEquals(0.25, Memorization.extractionStrength(new boolean[] {T, T, T, F}), 0.0);
        // a missed one-token answer: range(1) leaves k = 0 -> 1
        assertEquals(1.0, Memorization.extractionStrength(new boolean[] {F}), 0.0);
        assertEquals(0.0, Memorization.extractionStrength(new boolean[0]), 0.0, "no token: open-unlearning's 0");
    }
}
