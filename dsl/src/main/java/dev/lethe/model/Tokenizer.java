package dev.lethe.model;

import java.util.List;

/** Maps text to token ids and back. Ids 0..{@link #vocabSize()}-1; special tokens have fixed ids. */
public interface Tokenizer {
    /** The ids of {@code text}, without special tokens. */
    int[] encode(String text);

    /** The text of {@code ids}; special tokens are skipped. */
    String decode(int[] ids);

    /** Number of distinct ids. */
    int vocabSize();

    /** Id used to pad sequences to a common length. */
    int padId();

    /** Id that starts every sequence. */
    int bosId();

    /** Id that ends an answer. */
    int eosId();

    /** The token strings, indexed by id. */
    List<String> vocabulary();

    /**
     * The ids of the prompt that asks {@code question}, without the {@code <bos>} a sequence starts with: by
     * default the question's own ids ({@link QaTokenizer} formats it through a chat template first).
     */
    default int[] encodePrompt(String question) {
        return encode(question);
    }

    /**
     * The ids of {@code answer} as it follows the prompt of {@code question}, without the closing {@code <eos>}:
     * by default the answer's own ids ({@link QaTokenizer} formats the pair through a chat template first).
     */
    default int[] encodeAnswer(String question, String answer) {
        return encode(answer);
    }
}
