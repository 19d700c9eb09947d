package dev.lethe.data;

import dev.lethe.model.Tokenizer;

/**
 * A prompt and its answer as token ids, before batching.
 *
 * @param prompt the question's ids (no special tokens)
 * @param answer the answer's ids (no special tokens)
 */
public record Encoded(int[] prompt, int[] answer) {

    /** Encodes {@code question} → {@code answer} with {@code tokenizer}. */
    public static Encoded of(Tokenizer tokenizer, String question, String answer) {
        return new Encoded(tokenizer.encode(question), tokenizer.encode(answer));
    }

    /** Length of the model input: {@code <bos>}, prompt and answer (the trailing {@code <eos>} is only a target). */
    public int inputLength() {
        return 1 + prompt.length + answer.length;
    }
}
