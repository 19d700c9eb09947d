package dev.lethe.model;

import static dev.lethe.part.ParamTypes.choice;
import static dev.lethe.part.ParamTypes.integer;
import static dev.lethe.part.ParamTypes.realFloat;

import dev.lethe.part.Kind;
import dev.lethe.part.Param;
import dev.lethe.part.ParamTypes.Range;
import java.util.List;

/**
 * Shape of a GPT-style causal language model (Radford et al. 2019, "Language Models are Unsupervised
 * Multitask Learners"): token and learned position embeddings, {@code layers} pre-norm blocks of causal
 * multi-head attention and a 4x MLP, a final layer norm and an LM head tied to the token embedding.
 *
 * @param vocabSize number of token ids; 0 in a recipe means "the size of the data's tokenizer"
 * @param layers number of transformer blocks
 * @param width model (residual stream) width, divisible by {@code heads}
 * @param heads attention heads per block
 * @param contextLength longest sequence the position embedding covers
 * @param dropout dropout rate on embeddings, attention output and MLP output; 0 keeps runs deterministic
 * @param activation the MLP's non-linearity: exact GELU, or GPT-2's tanh approximation for loaded checkpoints
 */
public record GptConfig(int vocabSize, int layers, int width, int heads, int contextLength, float dropout,
        Activation activation) implements ModelSpec {
    /** The model {@code gpt}; its defaults are {@link #tiny()}. */
    public static final Kind<GptConfig> KIND = Kind.of("gpt", GptConfig.class,
            "GPT-2-style causal LM (Radford et al. 2019); "
            + "defaults: GptConfig.tiny()",
            List.of(Param.of("vocab_size", integer(0), 0, "token ids; 0 = the data's tokenizer's",
                    GptConfig::vocabSize),
                    Param.of("layers", integer(1), 4, "transformer blocks", GptConfig::layers),
                    Param.of("width", integer(1), 128, "residual width, a multiple of heads", GptConfig::width),
                    Param.of("heads", integer(1), 4, "attention heads per block", GptConfig::heads),
                    Param.of("context_length", integer(1), 32, "longest sequence", GptConfig::contextLength),
                    Param.of("dropout", realFloat(Range.closedOpen(0, 1)), 0f,
                            "dropout rate; 0 keeps runs deterministic",
                            GptConfig::dropout),
                    Param.of("activation", choice(Activation.class), Activation.GELU,
                            "the MLP's non-linearity: gelu (exact) or gelu_tanh (GPT-2's approximation)",
                            GptConfig::activation)),
            a -> new GptConfig(a.integer("vocab_size"), a.integer("layers"), a.integer("width"), a.integer("heads"),
                    a.integer("context_length"), a.<Float>get("dropout"), a.get("activation")));

    /**
     * The MLP's non-linearity.
     */
    public enum Activation {
        /** GELU(x) = x·Φ(x) with the exact normal CDF (Hendrycks &amp; Gimpel 2016, eq. 1); Lethe's own models. */
        GELU,
        /**
         * GELU's tanh approximation 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³))) (Hendrycks &amp; Gimpel 2016,
         * §2): what GPT-2 was trained with ({@code "gelu_new"} in a Hugging Face {@code config.json}).
         */
        GELU_TANH
    }

    /** A shape with the exact GELU. */
    public GptConfig(int vocabSize, int layers, int width, int heads, int contextLength, float dropout) {
        this(vocabSize, layers, width, heads, contextLength, dropout, Activation.GELU);
    }

    /** Validates the shape. */
    public GptConfig {
        require(vocabSize == 0 || vocabSize > 1, "vocabSize must be 0 (from the tokenizer) or > 1, was " + vocabSize);
        require(layers > 0, "layers must be > 0, was " + layers);
        require(heads > 0, "heads must be > 0, was " + heads);
        require(width > 0 && width % heads == 0, "width must be a positive multiple of heads, was " + width);
        require(width <= Integer.MAX_VALUE / 4, "width must be at most " + Integer.MAX_VALUE / 4
                + " (the MLP's 4 × width must be an int), was " + width);
        require(contextLength > 0, "contextLength must be > 0, was " + contextLength);
        require(dropout >= 0 && dropout < 1, "dropout must be in [0, 1), was " + dropout);
    }

    /**
     * {@link Gpt2}'s parameter count in closed form: token and position embeddings, per block two norms, the
     * attention's qkv and output projections and the MLP's up and down projections (12·d² + 13·d), and the final
     * norm.
     */
    @Override
    public double parameterCount() {
        double d = width;
        return ((double) vocabSize + contextLength) * d + layers * (12 * d * d + 13 * d) + 2 * d;
    }

    /** The largest of {@link Gpt2}'s tensors: the token embedding or an MLP projection. */
    @Override
    public double largestTensor() {
        double d = width;
        return Math.max(Math.max((double) vocabSize, contextLength) * d, 4 * d * d);
    }

    /** GPT-2 of this shape (a new instance: each model keeps its own, see {@link Gpt2}). */
    @Override
    public Architecture architecture() {
        return new Gpt2(this);
    }

    /** Width of one attention head. */
    public int headWidth() {
        return width / heads;
    }

    /** A small default: 4 layers of width 128 with 4 heads, context 32, no dropout, vocabulary from the tokenizer. */
    public static GptConfig tiny() {
        return KIND.defaults();
    }

    /** The same shape with another vocabulary size. */
    @Override
    public GptConfig withVocabSize(int newVocabSize) {
        return new GptConfig(newVocabSize, layers, width, heads, contextLength, dropout, activation);
    }

    /** A copy with {@code newLayers} transformer blocks. */
    public GptConfig withLayers(int newLayers) {
        return new GptConfig(vocabSize, newLayers, width, heads, contextLength, dropout, activation);
    }

    /** A copy with residual width {@code newWidth} (a multiple of {@link #heads()}). */
    public GptConfig withWidth(int newWidth) {
        return new GptConfig(vocabSize, layers, newWidth, heads, contextLength, dropout, activation);
    }

    /** A copy with {@code newHeads} attention heads per block (dividing {@link #width()}). */
    public GptConfig withHeads(int newHeads) {
        return new GptConfig(vocabSize, layers, width, newHeads, contextLength, dropout, activation);
    }

    /** A copy whose position embedding covers {@code newContextLength} tokens. */
    public GptConfig withContextLength(int newContextLength) {
        return new GptConfig(vocabSize, layers, width, heads, newContextLength, dropout, activation);
    }

    /** A copy with dropout rate {@code newDropout}. */
    public GptConfig withDropout(float newDropout) {
        return new GptConfig(vocabSize, layers, width, heads, contextLength, newDropout, activation);
    }

    /** A copy with the MLP non-linearity {@code newActivation}. */
    public GptConfig withActivation(Activation newActivation) {
        return new GptConfig(vocabSize, layers, width, heads, contextLength, dropout, newActivation);
    }

    /**
     * A copy {@code newWidth} wide with {@code newHeads} heads, checked together (one step where
     * {@code withWidth(w).withHeads(h)} would first check {@code w} against the old head count).
     */
    public GptConfig withShape(int newWidth, int newHeads) {
        return new GptConfig(vocabSize, layers, newWidth, newHeads, contextLength, dropout, activation);
    }

    private static void require(boolean ok, String message) {
        if (!ok) {
            throw new IllegalArgumentException(message);
        }
    }
}
