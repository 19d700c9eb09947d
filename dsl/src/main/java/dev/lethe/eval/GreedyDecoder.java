package dev.lethe.eval;

import dev.lethe.model.CausalLm;
import dev.lethe.model.Generation;
import dev.lethe.model.Generator;
import dev.lethe.model.Tokenizer;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * Greedy decoding of text prompts in batches: each prompt ({@code <bos>} + the prompt's tokens, see
 * {@link Tokenizer#encodePrompt}) is extended by its
 * argmax token until {@code <eos>}, {@code maxNewTokens} tokens, or the context length, by a
 * {@link Generator}: with the KV cache where the architecture has one (left-padded batches), otherwise by
 * recomputing the prefix for every token (right-padded batches, each row read at its own last position).
 * Padding changes no row's tokens: a left-padded row's positions start at its first real token and its padding
 * is masked out of attention, a right-padded row's padding comes after it (tested row by row against each
 * prompt decoded alone, for the built-in GPT and a Llama-family model).
 *
 * <p>A prompt longer than the model's context length is cut from the left, as a chat front end drops the
 * oldest turns: {@code <bos>} and its last tokens are kept, as many as leave room for {@code maxNewTokens}
 * new ones but at least half the context; {@link #truncatedPrompts()} counts such prompts. Prompts that fit
 * are never cut, and their generation stops at the context length.
 */
public final class GreedyDecoder {
    private final CausalLm model;
    private final Tokenizer tokenizer;
    private final int batchSize;
    private final boolean cached;
    private int truncated;

    /** A decoder over {@code model} in batches of {@code batchSize}, with the KV cache when there is one. */
    public GreedyDecoder(CausalLm model, Tokenizer tokenizer, int batchSize) {
        this(model, tokenizer, batchSize, true);
    }

    private GreedyDecoder(CausalLm model, Tokenizer tokenizer, int batchSize, boolean cached) {
        this.model = model;
        this.tokenizer = tokenizer;
        this.batchSize = batchSize;
        this.cached = cached;
    }

    /**
     * How many prompts this decoder has cut from the left because, with {@code <bos>}, they were longer than the
     * model's context length.
     */
    public int truncatedPrompts() {
        return truncated;
    }

    /** This decoder recomputing the whole prefix for every token (the reference for the cached path). */
    public GreedyDecoder withoutCache() {
        return new GreedyDecoder(model, tokenizer, batchSize, false);
    }

    /**
     * The decoded answer to each question, as text (without special tokens): each question is the prompt as
     * {@link Tokenizer#encodePrompt} makes it (through a pretrained model's chat template).
     */
    public List<String> decode(List<String> prompts, int maxNewTokens) {
        return decode(prompts, maxNewTokens, tokenizer::encodePrompt);
    }

    /**
     * The decoded continuation of each text, as text (without special tokens): each text is encoded as it is, not
     * as a question (a passage's prefix, as MUSE's VerbMem continues it).
     */
    public List<String> continueTexts(List<String> texts, int maxNewTokens) {
        return decode(texts, maxNewTokens, tokenizer::encode);
    }

    private List<String> decode(List<String> prompts, int maxNewTokens, Function<String, int[]> encoder) {
        int context = model.spec().contextLength();
        Generator generator = new Generator(model, tokenizer);
        Generation greedy = Generation.greedy(maxNewTokens).withEos(tokenizer.eosId()).withCache(cached);
        List<String> out = new ArrayList<>(prompts.size());
        for (int start = 0; start < prompts.size(); start += batchSize) {
            List<int[]> chunk = new ArrayList<>();
            for (String prompt : prompts.subList(start, Math.min(prompts.size(), start + batchSize))) {
                int[] words = encoder.apply(prompt);
                if (words.length + 1 > context) {
                    int keep = Math.max(context / 2, context - maxNewTokens) - 1;
                    words = java.util.Arrays.copyOfRange(words, words.length - keep, words.length);
                    truncated++;
                }
                int[] ids = new int[words.length + 1];
                ids[0] = tokenizer.bosId();
                System.arraycopy(words, 0, ids, 1, words.length);
                chunk.add(ids);
            }
            for (int[] ids : generator.generate(chunk, greedy)) {
                out.add(tokenizer.decode(ids));
            }
        }
        return out;
    }
}
