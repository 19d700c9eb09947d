package dev.lethe.model;

import java.util.List;

/**
 * Shape of a Llama-family causal language model (Touvron et al. 2023, "Llama 2", §2.2 and "The Llama 3 Herd
 * of Models", §3.1): token embedding, {@code layers} pre-norm blocks of RMSNorm, grouped-query causal attention
 * with rotary positions and a SwiGLU MLP, a final RMSNorm and a tied or untied head. One record covers the
 * Hugging Face model types that share this shape, told apart by {@code modelType} (written back when saved):
 * {@code llama} (Llama 2/3.x, TinyLlama, SmolLM; {@code attention_bias} on all four attention projections,
 * {@code mlp_bias}), {@code mistral} (Mistral, Zephyr: no biases, a sliding window on every layer),
 * {@code qwen2} (Qwen2/2.5: biases on q, k, v only; a sliding window from layer {@code max_window_layers} on
 * when {@code use_sliding_window}) and {@code qwen3} (RMSNorm of each query and key head before the rotation).
 *
 * @param modelType the Hugging Face {@code model_type}: llama, mistral, qwen2 or qwen3
 * @param vocabSize number of token ids; 0 means "the data's tokenizer's"
 * @param hidden residual width ({@code hidden_size})
 * @param intermediate the MLP's inner width ({@code intermediate_size})
 * @param layers number of blocks
 * @param heads query heads per block
 * @param kvHeads key/value heads per block, dividing {@code heads}
 * @param headDim width of one head (may differ from hidden / heads)
 * @param rmsNormEps ε of every RMSNorm
 * @param ropeTheta the rotary base
 * @param ropeScaling how rotary positions are scaled
 * @param tiedHead whether the head is the token embedding ({@code tie_word_embeddings})
 * @param qkvBias whether the q, k and v projections have biases
 * @param outputBias whether the attention's output projection has a bias
 * @param mlpBias whether the MLP's projections have biases
 * @param qkNorm whether each query and key head is RMS-normalised before rotation (Qwen3)
 * @param slidingWindow keys visible to a query (itself included) in windowed layers, or 0 for none
 * @param firstSlidingLayer the first layer with the sliding window (layers before it attend to everything)
 * @param maxPositions {@code max_position_embeddings}: the longest sequence
 * @param initializerRange the standard deviation of initial weights
 */
public record LlamaConfig(String modelType, int vocabSize, int hidden, int intermediate, int layers, int heads,
        int kvHeads, int headDim, double rmsNormEps, double ropeTheta, RopeScaling ropeScaling, boolean tiedHead,
        boolean qkvBias, boolean outputBias, boolean mlpBias, boolean qkNorm, int slidingWindow,
        int firstSlidingLayer, int maxPositions, double initializerRange) implements RotarySpec {

    /** The model types this shape covers. */
    public static final List<String> MODEL_TYPES = List.of("llama", "mistral", "qwen2", "qwen3");

    /** Validates the shape and that {@code modelType}'s checkpoints can express it. */
    public LlamaConfig {
        require(MODEL_TYPES.contains(modelType), "model type '" + modelType + "' is not one of " + MODEL_TYPES);
        require(vocabSize == 0 || vocabSize > 1, "vocabSize must be 0 (from the tokenizer) or > 1, was " + vocabSize);
        require(hidden > 0, "hidden must be > 0, was " + hidden);
        require(intermediate > 0, "intermediate must be > 0, was " + intermediate);
        require(layers > 0, "layers must be > 0, was " + layers);
        require(heads > 0, "heads must be > 0, was " + heads);
        require(kvHeads > 0 && heads % kvHeads == 0, "kvHeads must divide heads (" + heads + "), was " + kvHeads);
        require(headDim > 0 && headDim % 2 == 0, "headDim must be positive and even (rotary pairs), was " + headDim);
        require(rmsNormEps > 0, "rmsNormEps must be > 0, was " + rmsNormEps);
        require(ropeTheta > 1, "ropeTheta must be > 1, was " + ropeTheta);
        require(slidingWindow >= 0, "slidingWindow must be >= 0 (0: none), was " + slidingWindow);
        require(firstSlidingLayer >= 0 && firstSlidingLayer <= layers, "firstSlidingLayer must be in [0, layers = "
                + layers + "], was " + firstSlidingLayer);
        require(maxPositions > 0, "maxPositions must be > 0, was " + maxPositions);
        require(initializerRange > 0, "initializerRange must be > 0, was " + initializerRange);
        switch (modelType) {
            case "llama" -> {
                require(qkvBias == outputBias, "llama has one attention_bias for q, k, v and o projections");
                require(!qkNorm, "llama has no q/k norm (that is qwen3)");
                require(slidingWindow == 0, "llama has no sliding window (that is mistral or qwen2/qwen3)");
            }
            case "mistral" -> {
                require(!qkvBias && !outputBias && !mlpBias, "mistral has no biases (llama has attention_bias)");
                require(!qkNorm, "mistral has no q/k norm (that is qwen3)");
                require(firstSlidingLayer == 0, "mistral's sliding window covers every layer");
            }
            case "qwen2" -> {
                require(qkvBias && !outputBias && !mlpBias, "qwen2 has biases on q, k and v only");
                require(!qkNorm, "qwen2 has no q/k norm (that is qwen3)");
            }
            default -> {
                require(qkvBias == outputBias && !mlpBias, "qwen3 has one attention_bias for q, k, v and o and no MLP"
                        + " bias");
                require(qkNorm, "qwen3 always normalises q and k heads");
            }
        }
    }

    /**
     * A model of {@code modelType} with that type's structure (qwen2's q/k/v biases, qwen3's q/k norms), head
     * width hidden / heads, ε 10⁻⁶, rotary base 10⁴ unscaled, an untied head, no sliding window, 2048
     * positions and initial weights ~ N(0, 0.02²).
     */
    public static LlamaConfig of(String modelType, int vocabSize, int hidden, int intermediate, int layers, int heads,
            int kvHeads) {
        require(heads > 0 && hidden % heads == 0, "hidden (" + hidden + ") must be a multiple of heads (" + heads
                + "); give headDim with withHeadDim otherwise");
        boolean qwen2 = modelType.equals("qwen2");
        boolean qwen3 = modelType.equals("qwen3");
        return new LlamaConfig(modelType, vocabSize, hidden, intermediate, layers, heads, kvHeads, hidden / heads,
                1e-6, 10000, RopeScaling.none(), false, qwen2, false, false, qwen3, 0, 0, 2048, 0.02);
    }

    /** {@link #of} for model type {@code llama}. */
    public static LlamaConfig llama(int vocabSize, int hidden, int intermediate, int layers, int heads, int kvHeads) {
        return of("llama", vocabSize, hidden, intermediate, layers, heads, kvHeads);
    }

    /** The Llama-family architecture of this shape (a new instance: it caches masks and rotary tables). */
    @Override
    public Architecture architecture() {
        return new Llama(this);
    }

    /** The sliding window of layer {@code layer}, or 0 when it attends to every earlier position. */
    public int window(int layer) {
        return slidingWindow > 0 && layer >= firstSlidingLayer ? slidingWindow : 0;
    }

    @Override
    public LlamaConfig withVocabSize(int newVocabSize) {
        return new LlamaConfig(modelType, newVocabSize, hidden, intermediate, layers, heads, kvHeads, headDim,
                rmsNormEps, ropeTheta, ropeScaling, tiedHead, qkvBias, outputBias, mlpBias, qkNorm, slidingWindow,
                firstSlidingLayer, maxPositions, initializerRange);
    }

    /** A copy with heads {@code newHeadDim} wide. */
    public LlamaConfig withHeadDim(int newHeadDim) {
        return new LlamaConfig(modelType, vocabSize, hidden, intermediate, layers, heads, kvHeads, newHeadDim,
                rmsNormEps, ropeTheta, ropeScaling, tiedHead, qkvBias, outputBias, mlpBias, qkNorm, slidingWindow,
                firstSlidingLayer, maxPositions, initializerRange);
    }

    /** A copy with rotary base {@code theta} and scaling {@code scaling}. */
    public LlamaConfig withRope(double theta, RopeScaling scaling) {
        return new LlamaConfig(modelType, vocabSize, hidden, intermediate, layers, heads, kvHeads, headDim,
                rmsNormEps, theta, scaling, tiedHead, qkvBias, outputBias, mlpBias, qkNorm, slidingWindow,
                firstSlidingLayer, maxPositions, initializerRange);
    }

    /** A copy whose head is (or is not) the token embedding. */
    public LlamaConfig withTiedHead(boolean tied) {
        return new LlamaConfig(modelType, vocabSize, hidden, intermediate, layers, heads, kvHeads, headDim,
                rmsNormEps, ropeTheta, ropeScaling, tied, qkvBias, outputBias, mlpBias, qkNorm, slidingWindow,
                firstSlidingLayer, maxPositions, initializerRange);
    }

    /** A copy with these biases (each model type allows only some combinations, see the class comment). */
    public LlamaConfig withBiases(boolean qkv, boolean output, boolean mlp) {
        return new LlamaConfig(modelType, vocabSize, hidden, intermediate, layers, heads, kvHeads, headDim,
                rmsNormEps, ropeTheta, ropeScaling, tiedHead, qkv, output, mlp, qkNorm, slidingWindow,
                firstSlidingLayer, maxPositions, initializerRange);
    }

    /** A copy with a sliding window of {@code window} keys on layers {@code firstLayer} and after (0: none). */
    public LlamaConfig withSlidingWindow(int window, int firstLayer) {
        return new LlamaConfig(modelType, vocabSize, hidden, intermediate, layers, heads, kvHeads, headDim,
                rmsNormEps, ropeTheta, ropeScaling, tiedHead, qkvBias, outputBias, mlpBias, qkNorm, window,
                firstLayer, maxPositions, initializerRange);
    }

    /** A copy accepting sequences of up to {@code positions} tokens. */
    public LlamaConfig withMaxPositions(int positions) {
        return new LlamaConfig(modelType, vocabSize, hidden, intermediate, layers, heads, kvHeads, headDim,
                rmsNormEps, ropeTheta, ropeScaling, tiedHead, qkvBias, outputBias, mlpBias, qkNorm, slidingWindow,
                firstSlidingLayer, positions, initializerRange);
    }

    /** A copy with RMSNorm ε {@code eps} and initial weights ~ N(0, {@code range}²). */
    public LlamaConfig withNormAndInit(double eps, double range) {
        return new LlamaConfig(modelType, vocabSize, hidden, intermediate, layers, heads, kvHeads, headDim, eps,
                ropeTheta, ropeScaling, tiedHead, qkvBias, outputBias, mlpBias, qkNorm, slidingWindow,
                firstSlidingLayer, maxPositions, range);
    }

    private static void require(boolean ok, String message) {
        if (!ok) {
            throw new IllegalArgumentException(message);
        }
    }
}
