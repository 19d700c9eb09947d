package dev.lethe.data;

import dev.lethe.model.Tokenizer;
import java.util.ArrayList;
import java.util.List;

/**
 * A prompt and its answer as token ids, before batching.
 *
 * @param prompt the prompt's ids (no {@code <bos>}; a chat template's own special tokens may be in it)
 * @param answer the answer's ids (no closing {@code <eos>})
 */
public record Encoded(int[] prompt, int[] answer) {

    /**
     * Encodes {@code question} → {@code answer} with {@code tokenizer} ({@link Tokenizer#encodePrompt},
     * {@link Tokenizer#encodeAnswer}: the texts themselves, or formatted as a pretrained model reads them).
     */
    public static Encoded of(Tokenizer tokenizer, String question, String answer) {
        return new Encoded(tokenizer.encodePrompt(question), tokenizer.encodeAnswer(question, answer));
    }

    /** Each of {@code examples} encoded with {@code tokenizer}, in order (a mutable list). */
    public static List<Encoded> all(Tokenizer tokenizer, List<QaExample> examples) {
        List<Encoded> out = new ArrayList<>(examples.size());
        for (QaExample e : examples) {
            out.add(of(tokenizer, e.question(), e.answer()));
        }
        return out;
    }

    /** Length of the model input: {@code <bos>}, prompt and answer (the trailing {@code <eos>} is only a target). */
    public int inputLength() {
        return 1 + prompt.length + answer.length;
    }
}
