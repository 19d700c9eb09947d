package dev.lethe.data;

import dev.lethe.model.Tokenizer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.IntFunction;
import org.jspecify.annotations.Nullable;

/**
 * A prompt and its answer as token ids, before batching.
 *
 * @param prompt the prompt's ids (no {@code <bos>}; a chat template's own special tokens may be in it)
 * @param answer the answer's ids (no closing {@code <eos>})
 * @param closed whether the closing {@code <eos>} follows the answer as its last target; false for an example
 *     {@link #cut} to a maximum length, whose last answer token is a target only (TOFU's truncation: a cut
 *     answer does not teach the model to stop there)
 */
public record Encoded(int[] prompt, int[] answer, boolean closed) {

    /** A whole example: the closing {@code <eos>} follows the answer. */
    public Encoded(int[] prompt, int[] answer) {
        this(prompt, answer, true);
    }

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

    /**
     * Length of the model input: {@code <bos>}, prompt and answer (the trailing {@code <eos>} is only a target; so
     * is the last answer token of an example that is not {@link #closed}).
     */
    public int inputLength() {
        return prompt.length + answer.length + (closed ? 1 : 0);
    }

    /** How many targets the answer gives: its tokens and, when {@link #closed}, the {@code <eos>}. */
    public int answerTargets() {
        return answer.length + (closed ? 1 : 0);
    }

    /**
     * This example cut to an input of at most {@code maxLength} tokens: itself when it fits, otherwise its
     * answer's first {@code maxLength − prompt} tokens, not {@link #closed} (the input is {@code <bos>}, the prompt
     * and all but the last kept answer token, which is the last target). The end is cut, as Hugging Face
     * tokenizers' default {@code truncation_side="right"} cuts TOFU's {@code max_length} (TOFU's
     * {@code data_module.py}, open-unlearning's {@code preprocess_chat_instance}); unlike TOFU, where
     * {@code max_length} counts {@code <bos>} and every answer token, it bounds the model's input here, so a cut
     * answer keeps one token more.
     *
     * @return the cut example, or null when the prompt alone fills the input, leaving no answer token to learn
     */
    public @Nullable Encoded cut(int maxLength) {
        if (inputLength() <= maxLength) {
            return this;
        }
        int keep = maxLength - prompt.length;
        return keep < 1 ? null : new Encoded(prompt, Arrays.copyOf(answer, keep), false);
    }

    /**
     * This example fitted to an input of at most {@code maxLength} tokens for scoring: {@link #cut} at the end
     * when that leaves an answer token; when the prompt alone fills the input, its oldest tokens are dropped
     * (kept: {@code <bos>}, the prompt's last {@code maxLength − 1} tokens and the answer's first token, its
     * only target), the left truncation of a prompt too long for the context.
     */
    public Encoded fit(int maxLength) {
        Encoded c = cut(maxLength);
        if (c != null) {
            return c;
        }
        int keep = Math.max(0, maxLength - 1);
        int[] tail = Arrays.copyOfRange(prompt, prompt.length - keep, prompt.length);
        return new Encoded(tail, Arrays.copyOf(answer, Math.min(1, answer.length)), answer.length == 0 && closed);
    }

    /**
     * Each of {@code examples} {@link #cut} to {@code maxLength}, in order.
     *
     * @param what the examples' name in an error, e.g. {@code "the forget split"}
     * @throws IllegalArgumentException naming the example (its row, from 1, and question) whose prompt alone
     *     fills {@code maxLength}
     */
    public static List<Encoded> cut(List<Encoded> examples, int maxLength, String what,
            IntFunction<String> question) {
        List<Encoded> out = new ArrayList<>(examples.size());
        for (int i = 0; i < examples.size(); i++) {
            Encoded e = examples.get(i);
            Encoded c = e.cut(maxLength);
            if (c == null) {
                throw new IllegalArgumentException(what + ", row " + (i + 1) + ": the prompt has " + e.prompt().length
                        + " tokens, so with <bos> it fills the longest training sequence, " + maxLength + " tokens (the "
                        + "model's context length or the stage's max_length), and no answer token is left to train "
                        + "on; shorten the question or raise max_length: " + question.apply(i));
            }
            out.add(c);
        }
        return out;
    }
}
